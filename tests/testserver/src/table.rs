//! Server-side printing: `as=Table` answers with the real server's columns per kind.
