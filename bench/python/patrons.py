"""Aeries students and staff -> Destiny patrons.csv, the way a district engineer would write it
without sisflow: Python 3 standard library only (sqlite3, csv). The same job as
examples/destiny/patrons.yaml with its default parameters.

    python3 patrons.py sqlite AERIES.db OUT.csv     read the Aeries tables from SQLite
    python3 patrons.py csv EXPORT_DIR OUT.csv       read LOC.csv, STU.csv, STF.csv exported from Aeries
"""
import csv
import re
import sqlite3
import sys

SCHOOLS = (991, 992, 993, 994, 995)
SCHOOL_YEAR_END = 2027
CARD_EXPIRES = "06/30/2027"
HEADER = ["Site Short Name", "Barcode", "District ID", "Last Name", "First Name", "Middle Name",
          "Nickname", "Patron Type", "Access Level", "Status", "Gender", "Homeroom", "Grade Level",
          "Card Expires", "Graduation Year", "Birth Date", "Email 1"]
GRADES = {-3: "IT", -2: "PK", -1: "TK", 0: "KG"}
for g in range(1, 14):
    GRADES[g] = "%02d" % g
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


def email(value):
    e = (value or "").strip().lower()
    return e if EMAIL.match(e) else ""


def us_date(iso):
    return iso[5:7] + "/" + iso[8:10] + "/" + iso[0:4] if iso else ""


def safe(value):
    # Destiny staff open this file in Excel: a cell starting like a formula must not run.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def grade(gr):
    return GRADES.get(gr, "Other" if gr > 13 else "UG")


def from_sqlite(path):
    con = sqlite3.connect(path)
    sites = dict(con.execute("SELECT CD, SNM FROM LOC WHERE DEL = 0"))
    marks = ",".join("?" * len(SCHOOLS))
    students = con.execute(
        "SELECT ID, SC, LN, FN, MN, NM, GR, SX, BD, TG, TE, SEM FROM STU "
        "WHERE SC IN (%s) AND DEL = 0 AND trim(coalesce(TG, '')) = '' ORDER BY SC, SN" % marks, SCHOOLS)
    staff = con.execute(
        "SELECT ID, LN, FN, MN, EM, PSC, TI FROM STF "
        "WHERE PSC IN (%s) AND TG = '' AND DEL = 0 ORDER BY ID" % marks, SCHOOLS)
    return sites, students, staff


def from_csv(folder):
    # Aeries exports: a header row, 0/1 for DEL, ISO dates, empty cells for NULL.
    def rows(name):
        with open(folder + "/" + name, newline="", encoding="utf-8") as f:
            yield from csv.DictReader(f)

    sites = {int(r["CD"]): r["SNM"] for r in rows("LOC.csv") if r["DEL"] == "0"}

    def students():
        for r in rows("STU.csv"):
            sc = int(r["SC"])
            if sc in SCHOOLS and r["DEL"] == "0" and r["TG"].strip() == "":
                yield (int(r["ID"]), sc, r["LN"], r["FN"], r["MN"], r["NM"], int(r["GR"]), r["SX"],
                       r["BD"], r["TG"], r["TE"], r["SEM"])

    def staff():
        for r in rows("STF.csv"):
            psc = int(r["PSC"])
            if psc in SCHOOLS and r["TG"] == "" and r["DEL"] == "0":
                yield (int(r["ID"]), r["LN"], r["FN"], r["MN"], r["EM"], psc, r["TI"])

    return sites, students(), staff()


def main():
    mode, source, out = sys.argv[1:4]
    sites, students, staff = from_sqlite(source) if mode == "sqlite" else from_csv(source)
    seen = set()
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(HEADER)
        for id_, sc, ln, fn, mn, nm, gr, sx, bd, tg, te, sem in students:
            if sc not in sites or str(id_) in seen:
                continue
            seen.add(str(id_))
            w.writerow([safe(v) for v in (
                sites[sc], str(id_), str(id_), ln, fn, mn or "", nm or "", "Student", "Student", "A",
                sx if sx in ("M", "F") else "U", te or "", grade(gr), CARD_EXPIRES,
                str(SCHOOL_YEAR_END + 12 - gr), us_date(bd), email(sem))])
        for id_, ln, fn, mn, em, psc, ti in staff:
            barcode = "T" + str(id_)
            if psc not in sites or barcode in seen:
                continue
            seen.add(barcode)
            ti = ti or ""
            w.writerow([safe(v) for v in (
                sites[psc], barcode, barcode, ln, fn, mn or "", "", "Teacher" if ti == "Teacher" else "Staff",
                "Teacher" if ti in ("Teacher", "Librarian", "Principal") else "Staff", "A", "U", "", "",
                CARD_EXPIRES, "", "", email(em))])


if __name__ == "__main__":
    main()
