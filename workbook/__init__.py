"""Between Sessions: a self-guided CBT workbook kept as CSV files the person owns."""

__version__ = "0.1.0"
