"""Grading: a whole class graded in isolated workers, with CSV and HTML reports."""
