//! `supervision_tree!`: placeholder
