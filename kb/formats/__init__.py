"""Reading and writing other tools' formats, and the JSON Schemas."""
