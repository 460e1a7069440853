"""Readers and mappings of the export formats other than RIS, one package per format.

Each package exports ``sniff(head)`` and ``convert(path, schema)`` (FORMATS.md).
"""
