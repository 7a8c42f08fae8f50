"""The knowledge benchmark's labelled set: a generated plant-operations corpus.

`python -m bench.knowledge_data` rewrites `bench/data/knowledge_qa.json` (seeded, so the
file is reproducible). Each document states one fact about one machine; each question
asks for that fact in other words and names the machine. Every machine has several facts
and every kind of fact exists for many machines, so neither the machine's name alone
(keyword) nor the paraphrased topic alone (vector) pins the answer down.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "knowledge_qa.json"
PREFIXES = [
    "Kelvar", "Obrix", "Tamsin", "Vorel", "Quindle", "Brast", "Ferrow", "Halden", "Izmar",
    "Jorvik", "Lumen", "Marrek", "Nostra", "Pelgar", "Raskel", "Sorvin", "Tiberon", "Ulmar",
    "Vastic", "Wendril",
]  # fmt: skip
KINDS = ["pump", "valve", "compressor", "turbine", "conveyor", "boiler", "chiller", "mixer"]
# (document template, question template, value generator)
TOPICS: list[tuple[str, str, list[str]]] = [
    (
        "The {m} must be serviced every {v} by a certified technician.",
        "How often does the {m} need maintenance?",
        ["three months", "six months", "nine months", "year", "two years"],
    ),
    (
        "The {m} shuts itself off automatically once its temperature goes above {v} degrees.",
        "What happens when the {m} overheats?",
        ["70", "85", "90", "105", "120"],
    ),
    (
        "Replacement parts for the {m} are ordered from the central warehouse in {v}.",
        "Where do spare components for the {m} come from?",
        ["Lyon", "Gdansk", "Porto", "Tampere", "Graz"],
    ),
    (
        "At full load the {m} draws {v} kilowatts of electricity.",
        "How much power does the {m} consume?",
        ["12", "40", "75", "110", "260"],
    ),
    (
        "Only the {v} may restart the {m} after an alarm.",
        "Who is allowed to reboot the {m} following a warning?",
        ["night shift supervisor", "plant manager", "safety officer", "lead engineer"],
    ),
    (
        "The {m} was installed in {v} on the north platform.",
        "When was the {m} put in place?",
        ["2011", "2015", "2019", "2022"],
    ),
    (
        "Operators of the {m} wear {v} at all times.",
        "What protective equipment is required near the {m}?",
        ["ear defenders", "safety goggles", "steel-toe boots", "respirator masks"],
    ),
    (
        "The {m} is cleaned with {v} at the end of each week.",
        "What is used to wash the {m}?",
        ["pressurised steam", "citric acid solution", "dry ice blasting", "warm soapy water"],
    ),
]


# Fault codes: exact identifiers that a keyword index matches and an embedding blurs.
FAULTS = [
    "a bearing is wearing out", "the inlet filter is clogged", "a seal is leaking",
    "the motor is drawing too much current", "the coolant level is low",
    "a sensor lost its calibration", "the drive belt is slipping", "the pressure is too low",
]  # fmt: skip


def generate(seed: int = 8) -> dict[str, list[dict[str, str]]]:
    """Per machine: five paraphrased facts and three fault codes; one question per document."""
    rng = random.Random(seed)
    machines = rng.sample([f"{p} {k}" for p in PREFIXES for k in KINDS], 25)
    codes = rng.sample(range(1000, 10000), 3 * len(machines))
    documents: list[dict[str, str]] = []
    questions: list[dict[str, str]] = []

    def add(machine: str, text: str, question: str) -> None:
        doc_id = f"doc-{len(documents):03d}"
        documents.append({"id": doc_id, "title": f"{machine} notes", "text": text})
        questions.append({"question": question, "answer": doc_id})

    for index, machine in enumerate(machines):
        for topic in rng.sample(range(len(TOPICS)), 5):
            doc_template, question_template, values = TOPICS[topic]
            text = doc_template.format(m=machine, v=rng.choice(values))
            add(machine, text, question_template.format(m=machine))
        for code in codes[3 * index : 3 * index + 3]:
            fault = rng.choice(FAULTS)
            add(
                machine,
                f"Error code E-{code} on the {machine} means that {fault}.",
                f"What does fault E-{code} indicate?",
            )
    return {"documents": documents, "questions": questions}


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = generate()
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(data['documents'])} documents, {len(data['questions'])} questions -> {OUT}")
