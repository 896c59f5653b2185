"""The log watch of the test run (conftest.py, issue 16 §4 "Logs without
personal data"): every record formatted as production writes it, searched
for the clients' names and identity numbers."""

import logging
import re


class LogLeakWatch(logging.Handler):
    # Any 10- or 12-digit identity number, with or without its separator,
    # standing alone (not inside a longer number, a decimal or a hex id).
    NUMBER = re.compile(r"(?<![\w.])(?:\d{2})?\d{6}[-+]?\d{4}(?![\w.])")

    def __init__(self):
        super().__init__(logging.DEBUG)
        from config.log_format import JsonLines

        self.setFormatter(JsonLines("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []
        self.names: set[str] = set()
        self.numbers: set[str] = set()

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted is the logging module's problem
            self.lines.append(f"{record.name}: {record.msg!r} {record.args!r}")

    def remember(self, sender, instance, **kwargs):
        # The last name, and the full name; a first name alone ("Anna") names
        # nobody and would flag every user who shares it.
        if len(instance.last_name or "") >= 3:
            self.names.add(instance.last_name)
        if instance.first_name and instance.last_name:
            self.names.add(f"{instance.first_name} {instance.last_name}")
        digits = re.sub(r"\D", "", instance.personal_number or "")
        if len(digits) == 12:
            self.numbers.update({digits, f"{digits[:8]}-{digits[8:]}", digits[2:], f"{digits[2:8]}-{digits[8:]}"})

    def leaks(self) -> list[str]:
        from core.personnummer import is_valid

        if not self.lines:
            return []
        found = []
        names = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(self.names, key=len, reverse=True))) + r")\b") \
            if self.names else None
        for line in self.lines:
            hits = [number for number in self.numbers if number in line]
            if names is not None:
                hits += names.findall(line)
            hits += [candidate for candidate in self.NUMBER.findall(line) if is_valid(candidate)]
            if hits:
                found.append(f"{sorted(set(hits))} in: {line[:500]}")
        self.lines.clear()
        return found
