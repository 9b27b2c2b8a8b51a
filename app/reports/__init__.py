"""Reports (报表): files built by the worker from a row that says what was asked, by
whom, how far the build has got, and where the file is. See README.md."""
