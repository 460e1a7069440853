"""Export formats other than RIS, one package per format (reader and mapping).

Each package exports ``sniff(head)`` and ``convert(path, schema)`` and nothing else
to the frame that detects a file's format; what several formats share here sits in
the modules beside them (:mod:`syncd.formats.xml_records`, :mod:`syncd.formats.text`).
"""
