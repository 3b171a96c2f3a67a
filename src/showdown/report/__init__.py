"""Reports: the terminal tables now; Markdown, HTML and charts build on the same rows."""
