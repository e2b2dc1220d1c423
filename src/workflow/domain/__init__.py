"""The petition domain: plain data and errors, free of frameworks and storage."""
