"""The build: chapters to notebooks, the translation catalogs and the strict gate."""
