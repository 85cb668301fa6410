"""Tagger throughput (documents per second, one process) on 500 B, 3 KB and 5 KB articles.

Articles are built by mixing news-style sentences in English and French: a third of them about
foreign forces (entities, posture, figures, dates), the rest the background any news story
carries. Each size is timed five times and the median reported, with and without language
detection; a fully topical 3 KB variant shows the worst case. Prints only.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.tagger import TAGGER_VERSION, tag  # noqa: E402

EN_TOPICAL = [
    "Russia has deployed about 1,000 military instructors to the Central African Republic.",
    "The junta in Bamako said on Tuesday that no contract had been signed with the Wagner Group.",
    "French troops handed the Gao base over to the Malian army in August, ending Barkhane.",
    "Turkey reportedly delivered Bayraktar drones to Niger last month, according to sources.",
    "China plans to open a naval base in Djibouti, the ministry announced.",
    "The United States will withdraw its 1,100 troops from Niger by September 15.",
    "Abdoulaye Diop met his Russian counterpart Sergei Lavrov in Moscow on November 11.",
    "Several hundred Wagner fighters were stationed near Ménaka, residents said.",
    "Rwandan troops have been deployed in Mozambique's Cabo Delgado province since July 2021.",
]
FR_TOPICAL = [
    "La France a rétrocédé la base de Tombouctou aux forces armées maliennes le 14 décembre.",
    "Selon des sources sécuritaires, plusieurs centaines de paramilitaires russes seraient "
    "arrivés à Bamako.",
    "Le Tchad a dénoncé l'accord de coopération militaire avec la France jeudi soir.",
    "Environ 1 500 soldats français sont déployés au Niger, a indiqué l'état-major.",
    "La Turquie va livrer des drones supplémentaires au Burkina Faso, a annoncé le ministre.",
    "L'Africa Corps russe a remplacé le groupe Wagner au Mali au mois de juin.",
]


EN_BACKGROUND = [
    "Heavy rains flooded several districts of the capital, the civil protection agency said.",
    "The central bank kept its main interest rate unchanged at 3.5% on Wednesday.",
    "Schools reopened on Monday after a two-week strike by teachers over unpaid wages.",
    "The price of millet has doubled in local markets since the start of the lean season.",
    "Opposition parties called for an inclusive dialogue before any new electoral calendar.",
    "Aid agencies say more than two million people have fled their homes in the region.",
    "The minister spoke at length about youth unemployment and the reform of the civil service.",
    "Analysts expect growth to slow next year as cotton and gold prices fall.",
    "A long convoy of lorries waited at the border post for several days.",
    "The transitional charter was amended to extend the period by two more years.",
    "Residents of the town described nights without electricity and a shortage of fuel.",
    "The national football team qualified for the next continental tournament.",
]
FR_BACKGROUND = [
    "Les pluies ont endommagé plusieurs routes de la capitale, selon la mairie.",
    "Le prix du coton a augmenté de 12 % cette année sur les marchés locaux.",
    "Les enseignants ont repris le travail lundi après deux semaines de grève.",
    "Les partis d'opposition réclament un dialogue inclusif avant tout calendrier électoral.",
    "Plus de deux millions de personnes ont fui leur foyer, selon les agences humanitaires.",
    "Le ministre a longuement évoqué le chômage des jeunes et la réforme de l'administration.",
    "Les économistes prévoient un ralentissement de la croissance l'an prochain.",
    "Une longue file de camions a attendu plusieurs jours au poste frontière.",
    "La charte de la transition a été modifiée pour prolonger la période de deux ans.",
    "Les habitants décrivent des nuits sans électricité et une pénurie de carburant.",
]
POOLS = {"en": (EN_TOPICAL, EN_BACKGROUND), "fr": (FR_TOPICAL, FR_BACKGROUND)}


def make_doc(size: int, rng: random.Random, topical: float = 1 / 3) -> tuple[str, str]:
    """A document of about `size` bytes in one language, paragraphs every three sentences;
    `topical` is the share of sentences about foreign forces."""
    lang = rng.choice(("en", "fr"))
    on_topic, background = POOLS[lang]
    parts: list[str] = []
    while len("".join(parts).encode("utf-8")) < size:
        pool = on_topic if rng.random() < topical else background
        parts.append(rng.choice(pool) + ("\n\n" if len(parts) % 3 == 2 else " "))
    return "".join(parts).strip(), lang


def run(docs: list[tuple[str, str]], detect: bool) -> tuple[float, float]:
    """(documents per wall-clock second, documents per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for text, lang in docs:
        tag(text, lang=None if detect else lang, published="2024-06-01")
    return len(docs) / (time.perf_counter() - wall), len(docs) / (time.process_time() - cpu)


def main() -> None:
    print(f"tagger {TAGGER_VERSION}")
    print(f"platform {platform.platform()}; python {platform.python_version()}; "
          f"cpus {os.cpu_count()}; processor {platform.processor() or 'unknown'}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rng = random.Random(7)
    # Warm-up builds the matchers, the language detector and the figure and date patterns
    # (compiled on first use), so that no timed run pays for them.
    tag(EN_TOPICAL[0] + " " + EN_TOPICAL[5], lang="en", published="2024-06-01")
    tag(FR_TOPICAL[0] + " " + FR_TOPICAL[3], lang="fr", published="2024-06-01")
    tag("Warm up the language detector with a plain English sentence about Mali.")
    cases = [(500, 1 / 3), (3000, 1 / 3), (5000, 1 / 3), (3000, 1.0)]
    for size, topical in cases:
        docs = [make_doc(size, rng, topical) for _ in range(400)]
        for detect in (False, True):
            runs = [run(docs, detect) for _ in range(5)]
            rates, cpu_rates = [r[0] for r in runs], [r[1] for r in runs]
            label = ("detect language" if detect else "language given") + (
                ", all topical" if topical == 1.0 else "")
            print(f"{size:>5} B  {label:<30} median {statistics.median(rates):6.0f} docs/s wall"
                  f" (min {min(rates):.0f}, max {max(rates):.0f}),"
                  f" {statistics.median(cpu_rates):6.0f} docs/CPU-s; 5 runs of {len(docs)}")


if __name__ == "__main__":
    main()
