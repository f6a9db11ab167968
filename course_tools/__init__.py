"""Tools of the course around the library: building the book, releasing,
validating and grading assignments."""
