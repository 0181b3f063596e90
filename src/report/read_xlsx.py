#!/usr/bin/python3
"""Prints an .xlsx workbook's cells as JSON, read by openpyxl: an independent
reader for the workbooks' tests. {"Sheet": [[cell, ...], ...]}; each cell is
null or {"type": "n" | "s" | "d" | "f", "value": ..., "format": "..."}; a
date's value is "YYYY-MM-DD", a date with a time of day
"YYYY-MM-DDTHH:MM:SS[.ffffff]"; a formula's value is its text ("=SUM(…)") and
its "cached" the result stored with it."""
import datetime
import json
import sys

import openpyxl


def cell(c, cached):
    if c.value is None:
        return None
    if isinstance(c.value, datetime.datetime):
        value = c.value.isoformat() if c.value.time() != datetime.time() else c.value.date().isoformat()
        return {"type": "d", "value": value, "format": c.number_format}
    if isinstance(c.value, (datetime.date, datetime.time)):
        return {"type": "d", "value": c.value.isoformat(), "format": c.number_format}
    if c.data_type == "f":
        return {"type": "f", "value": c.value, "cached": cached.value, "format": c.number_format}
    kind = "n" if isinstance(c.value, (int, float)) else "s"
    return {"type": kind, "value": c.value, "format": c.number_format}


book = openpyxl.load_workbook(sys.argv[1])
values = openpyxl.load_workbook(sys.argv[1], data_only=True)
json.dump({ws.title: [[cell(c, values[ws.title].cell(c.row, c.column)) for c in row]
                      for row in ws.iter_rows()]
           for ws in book.worksheets},
          sys.stdout, ensure_ascii=False)
