"""Editors' content: the files of content/, and the emailed text that import-text converts."""
