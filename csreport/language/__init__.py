"""The report's languages: locale files, number and date formats in each language, typesetting, and the display
names of data values."""
