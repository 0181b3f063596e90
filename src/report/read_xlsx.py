#!/usr/bin/python3
"""Prints an .xlsx workbook's cells as JSON, read by openpyxl: an independent
reader for the report's tests. {"Sheet": [[cell, ...], ...]}; each cell is
null or {"type": "n" | "s" | "d", "value": ..., "format": "..."}; a date's
value is "YYYY-MM-DD"."""
import datetime
import json
import sys

import openpyxl


def cell(c):
    if c.value is None:
        return None
    if isinstance(c.value, datetime.datetime):
        return {"type": "d", "value": c.value.date().isoformat(), "format": c.number_format}
    if isinstance(c.value, (datetime.date, datetime.time)):
        return {"type": "d", "value": c.value.isoformat(), "format": c.number_format}
    kind = "n" if isinstance(c.value, (int, float)) else "s"
    return {"type": kind, "value": c.value, "format": c.number_format}


book = openpyxl.load_workbook(sys.argv[1])
json.dump({ws.title: [[cell(c) for c in row] for row in ws.iter_rows()] for ws in book.worksheets},
          sys.stdout, ensure_ascii=False)
