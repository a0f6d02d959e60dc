"""The demo (演示): everything `jingzhun demo` seeds, on top of every context (interface layer).

- `command`: the build — a fresh database, the synthetic county through the registry importer, the demo
  users, the year's assessment, then the seeds below.
- `synthetic` / `generate`: the synthetic county (合成县) and `jingzhun generate`, which writes it as a
  registry workbook (also used by bench/ and tests).
- `assistance`: units, teams, helpers, visits, check-ins and measures (帮扶演示数据).
- `ledgers`: petitions, problems, directives, indicators and cases (台账演示数据).
- `verification_datasets` / `verification`: the departmental rolls and the clues found on them
  (线索演示数据).
"""
