"""The volunteer service certificate's PDF as the web process sets it in a request
(app/volunteering/certificates/document.py): WeasyPrint's import, the first PDF of a
process (fonts found and loaded), then warm PDFs of a short certificate (5 activities,
one page), a year's (40) and a long one (150, about 6 pages).

The figure decides where the PDF is built: in the request while a warm certificate
takes under 2 s, else by the report worker. It needs no servers (the reads before it
are a few milliseconds): `uv run python -m bench.certificates`.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.harness import in_fresh_process, main_or_step, save, spread

SIZES = {"short": 5, "year": 40, "long": 150}
ROUNDS = 10


def measure() -> dict[str, Any]:
    """In a fresh process: import, first PDF, then ROUNDS warm PDFs of each size."""
    started = time.perf_counter()
    import weasyprint  # noqa: F401

    from app.volunteering.certificates import document
    from app.volunteering.certificates.service import CertificateDocument, ServiceLine
    from app.volunteering.models import Certificate

    imported = time.perf_counter() - started

    def paper(count: int) -> tuple[CertificateDocument, str]:
        lines = [
            ServiceLine(date(2026, 1, 1) + timedelta(days=2 * i), "幸福社区志愿服务队", "talks",
                        "进社区宣讲党的二十大精神，与居民座谈交流", "幸福社区党群服务中心",
                        Decimal("2.5"))
            for i in range(count)
        ]  # fmt: skip
        certificate = Certificate(
            id=uuid4(), tenant_id=uuid4(), code="W73RBMWQN37K", person_id=uuid4(),
            period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
            hours=sum(line.hours for line in lines), activities=count, issued_by=uuid4(),
            issued_by_name="管理员", issued_at=datetime.now(UTC),
        )  # fmt: skip
        found = CertificateDocument(certificate, "欧阳秀兰", "历下区退役军人事务局", lines)
        return found, document.check_url("https://redstar.example.cn", certificate.code)

    def build(count: int) -> tuple[float, float]:
        """Wall and CPU ms of one certificate (the CPU moves far less with the load)."""
        found, url = paper(count)
        begun, cpu = time.perf_counter(), time.process_time()
        document.write_pdf(document.render_html(found, url))
        return (time.perf_counter() - begun) * 1000, (time.process_time() - cpu) * 1000

    results: dict[str, Any] = {
        "import_ms": round(imported * 1000), "first_ms": round(build(5)[0]),
    }  # fmt: skip
    for name, count in SIZES.items():
        walls, cpus = zip(*(build(count) for _ in range(ROUNDS)), strict=True)
        results[name] = {**spread(list(walls)), "cpu_p50_ms": spread(list(cpus))["p50_ms"]}
    return results


def run(env: dict[str, str] | None = None, data_dir: Path | None = None) -> dict[str, Any]:
    load = os.getloadavg()[0]
    results = in_fresh_process("bench.certificates", dict(env or {}), "measure")
    results["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        "Certificate PDF (WeasyPrint, in the web process)",
        f"  import WeasyPrint {results['import_ms']} ms; first PDF of a process "
        f"{results['first_ms']} ms",
    ]
    for name, count in SIZES.items():
        found = results[name]
        lines.append(
            f"  {count:>3} activities: p50 {found['p50_ms']} ms, min {found['min_ms']} ms,"
            f" CPU p50 {found['cpu_p50_ms']} ms"
        )
    lines.append(f"  load average {results['load'][0]} → {results['load'][1]}")
    return "\n".join(lines)


def main() -> None:
    results = run()
    save("certificates", results)
    print(report(results), flush=True)


if __name__ == "__main__":
    main_or_step(main, {"measure": measure})
