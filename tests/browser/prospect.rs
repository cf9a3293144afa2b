//! The prospect's flow in a real browser, with and without JavaScript.
