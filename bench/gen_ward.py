#!/usr/bin/env python3
"""Writes a synthetic resident list (Vietnamese names, mixed phone formats) as CSV.

Usage: gen_ward.py OUT.csv N [--clean] [--seed S]
Without --clean, about 5% of rows are deliberately broken: landlines, invalid numbers,
repeats, a missing number; numbers come in every accepted written form.
"""
import random
import sys

HO = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Châu", "Tạ"]
DEM = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Thu", "Kim", "Đức", "Hoài", "Bảo"]
TEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam",
       "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Vân", "Yến", "Đạt", "Ánh"]
KHOM = ["Khóm 1", "Khóm 2", "Khóm 3", "Khóm 4", "Khóm 5", "Ấp Bà Điều", "Ấp Cây Trâm"]
NHOM = ["hộ kinh doanh", "người cao tuổi", "có trẻ dưới 5 tuổi", "tổ trưởng", ""]
PREFIX = ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "081", "082",
          "083", "084", "085", "088", "091", "094", "070", "076", "077", "078", "079", "090", "093",
          "056", "058", "092"]


def written(local, rng):
    """One of the forms a ward clerk's spreadsheet holds a number in."""
    national = local[1:]
    form = rng.randrange(7)
    if form == 0: return local
    if form == 1: return f"{local[:4]} {local[4:7]} {local[7:]}"
    if form == 2: return f"{local[:4]}.{local[4:7]}.{local[7:]}"
    if form == 3: return "+84" + national
    if form == 4: return "84" + national
    if form == 5: return f"(+84) {national[:3]}-{national[3:6]}-{national[6:]}"
    return national  # Excel dropped the leading zero


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    clean = "--clean" in sys.argv
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 6
    rng = random.Random(seed)
    used = set()
    rows = []
    for i in range(n):
        name = f"{rng.choice(HO)} {rng.choice(DEM)} {rng.choice(TEN)}"
        while True:
            local = rng.choice(PREFIX) + f"{rng.randrange(10**7):07d}"
            if local not in used:
                used.add(local)
                break
        phone = written(local, rng)
        if not clean:
            roll = rng.random()
            if roll < 0.01: phone = "0290 3" + f"{rng.randrange(10**6):06d}"       # Cà Mau landline
            elif roll < 0.02: phone = "0912 345"                                   # too short
            elif roll < 0.03 and rows: phone = rows[rng.randrange(len(rows))][1]   # repeat
            elif roll < 0.035: phone = ""                                          # missing
            elif roll < 0.05:                                                      # pre-2018 form
                old = {"032": "0162", "033": "0163", "034": "0164", "070": "0120", "083": "0123"}
                p = local[:3]
                if p in old: phone = old[p] + local[3:]
        rows.append((name, phone, rng.choice(KHOM), rng.choice(NHOM), f"{rng.randrange(1, 200)}"))
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffHọ và tên;Số điện thoại;Khóm/Ấp;Nhóm;Số nhà\r\n")
        for name, phone, khom, nhom, so_nha in rows:
            f.write(f"{name};{phone};{khom};\"{nhom}\";{so_nha}\r\n")


if __name__ == "__main__":
    main()
