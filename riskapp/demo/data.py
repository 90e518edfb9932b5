"""The demo seed's data: Thanh Hóa's former districts, industries, names and people.

The seed (`riskapp.demo`) draws from these tuples in their order, so reordering or editing an
entry changes the seeded database.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskapp.models import AreaKind, Role

# Thanh Hóa's bounding box: jittered coordinates are clamped inside it.
BOX_LAT = (19.3, 20.7)
BOX_LON = (104.4, 106.1)


@dataclass(frozen=True)
class District:
    name: str
    kind: AreaKind
    lat: float
    lon: float
    # Relative share of the province's enterprises: the coast and Nghi Sơn many, the west few.
    weight: float
    industries: tuple[str, ...] = ()
    zone: str | None = None  # an industrial zone used in addresses

    @property
    def short(self) -> str:
        for prefix in ("Thành phố ", "Thị xã ", "Huyện "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name


CITY, TOWN, DISTRICT = AreaKind.CITY, AreaKind.TOWN, AreaKind.DISTRICT

# The 26 district-level units before 1 July 2025 (Đông Sơn joined the city in 2025), named as in
# the gazetteer: each becomes a grouping of the communes and wards that mostly came from it.
DISTRICTS: tuple[District, ...] = (
    District("Thành phố Thanh Hóa", CITY, 19.807, 105.776, 34,
             ("electronics", "garment", "food", "trade", "construction", "transport"),
             "Khu công nghiệp Lễ Môn"),
    District("Thành phố Sầm Sơn", CITY, 19.740, 105.900, 11, ("seafood", "hospitality", "food")),
    District("Thị xã Bỉm Sơn", TOWN, 20.080, 105.860, 10, ("cement", "garment", "construction"),
             "Khu công nghiệp Bỉm Sơn"),
    District("Thị xã Nghi Sơn", TOWN, 19.420, 105.760, 30,
             ("cement", "seafood", "transport", "electronics", "garment", "footwear"),
             "Khu kinh tế Nghi Sơn"),
    District("Huyện Bá Thước", DISTRICT, 20.380, 105.230, 1.5, ("wood", "agriculture")),
    District("Huyện Cẩm Thủy", DISTRICT, 20.210, 105.470, 3, ("wood", "mining", "food")),
    District("Huyện Hà Trung", DISTRICT, 20.030, 105.820, 5, ("footwear", "garment", "cement")),
    District("Huyện Hậu Lộc", DISTRICT, 19.920, 105.890, 7, ("seafood", "garment", "footwear")),
    District("Huyện Hoằng Hóa", DISTRICT, 19.860, 105.860, 10,
             ("garment", "seafood", "footwear", "food"), "Khu công nghiệp Hoàng Long"),
    District("Huyện Lang Chánh", DISTRICT, 20.150, 105.240, 1, ("wood",)),
    District("Huyện Mường Lát", DISTRICT, 20.530, 104.600, 1, ("agriculture",)),
    District("Huyện Nga Sơn", DISTRICT, 20.000, 105.970, 5, ("seafood", "garment", "textiles")),
    District("Huyện Ngọc Lặc", DISTRICT, 20.090, 105.370, 3, ("wood", "food", "garment")),
    District("Huyện Như Thanh", DISTRICT, 19.580, 105.560, 3, ("wood", "food")),
    District("Huyện Như Xuân", DISTRICT, 19.630, 105.400, 2, ("wood", "agriculture")),
    District("Huyện Nông Cống", DISTRICT, 19.610, 105.680, 5, ("mining", "garment", "food")),
    District("Huyện Quan Hóa", DISTRICT, 20.370, 104.950, 1, ("wood",)),
    District("Huyện Quan Sơn", DISTRICT, 20.250, 104.900, 1, ("agriculture",)),
    District("Huyện Quảng Xương", DISTRICT, 19.700, 105.800, 7, ("seafood", "garment", "textiles")),
    District("Huyện Thạch Thành", DISTRICT, 20.150, 105.630, 4, ("cement", "footwear", "food"),
             "Khu công nghiệp Thạch Quảng"),
    District("Huyện Thiệu Hóa", DISTRICT, 19.890, 105.680, 5, ("garment", "footwear")),
    District("Huyện Thọ Xuân", DISTRICT, 19.930, 105.500, 8, ("footwear", "food", "garment"),
             "Khu công nghiệp Lam Sơn – Sao Vàng"),
    District("Huyện Thường Xuân", DISTRICT, 19.900, 105.330, 2, ("wood", "footwear")),
    District("Huyện Triệu Sơn", DISTRICT, 19.820, 105.570, 5, ("footwear", "garment", "mining")),
    District("Huyện Vĩnh Lộc", DISTRICT, 20.040, 105.650, 3, ("footwear", "garment")),
    District("Huyện Yên Định", DISTRICT, 19.980, 105.620, 6, ("garment", "food", "footwear")),
)

@dataclass(frozen=True)
class Industry:
    section: str
    division: str | None
    names: tuple[str, ...]  # "{brand}" and "{place}" are filled in
    headcount: tuple[int, int]
    canteen: float
    shuttle: float
    dormitory: float


INDUSTRIES: dict[str, Industry] = {
    "garment": Industry(
        "C", "14",
        ("Công ty TNHH May Xuất khẩu {place}", "Công ty TNHH May {brand}",
         "Công ty CP May {brand} {place}"),
        (250, 4000), .9, .6, .2),
    "footwear": Industry(
        "C", "15",
        ("Công ty TNHH Giày da {place}", "Công ty TNHH Giày {brand}", "Công ty CP Da giày {brand}"),
        (800, 9000), .95, .75, .25),
    "textiles": Industry(
        "C", "13", ("Công ty CP Dệt {brand}", "Công ty TNHH Sợi {place}"),
        (150, 1500), .8, .4, .15),
    "seafood": Industry(
        "C", "10",
        ("Công ty CP Chế biến Hải sản {place}", "Công ty TNHH Thủy sản {brand}",
         "Công ty TNHH Chế biến Thủy sản {brand} {place}"),
        (60, 900), .7, .3, .2),
    "food": Industry(
        "C", "10",
        ("Công ty CP Thực phẩm {brand}", "Công ty TNHH Chế biến Nông sản {place}",
         "Công ty CP Mía đường {brand}"),
        (50, 1200), .6, .25, .1),
    "cement": Industry(
        "C", "23",
        ("Công ty CP Xi măng {place}", "Công ty TNHH Vật liệu Xây dựng {brand}",
         "Công ty CP Gạch Tuynel {brand}"),
        (120, 1600), .8, .5, .3),
    "wood": Industry(
        "C", "16", ("Công ty TNHH Chế biến Gỗ {place}", "Công ty CP Lâm sản {brand}"),
        (20, 400), .4, .1, .2),
    "electronics": Industry(
        "C", "26",
        ("Công ty TNHH Điện tử {brand}", "Công ty TNHH Linh kiện Điện tử {brand} {place}"),
        (200, 3500), .95, .7, .3),
    "mining": Industry(
        "B", "08", ("Công ty CP Khoáng sản {place}", "Công ty TNHH Khai thác Đá {brand}"),
        (40, 500), .5, .3, .3),
    "construction": Industry(
        "F", "41", ("Công ty CP Xây dựng {brand}", "Công ty TNHH Xây lắp {place}"),
        (30, 400), .3, .2, .3),
    "trade": Industry(
        "G", "46", ("Công ty TNHH Thương mại {brand}", "Công ty CP Thương mại Dịch vụ {place}"),
        (10, 180), .2, 0, 0),
    "transport": Industry(
        "H", "52",
        ("Công ty CP Vận tải {brand}", "Công ty TNHH Logistics {place}", "Công ty CP Cảng {brand}"),
        (30, 600), .5, .3, .1),
    "hospitality": Industry(
        "I", "55", ("Công ty CP Du lịch {place}", "Công ty TNHH Khách sạn {brand}"),
        (20, 250), .6, .1, .2),
    "agriculture": Industry(
        "A", "01", ("Công ty TNHH Nông nghiệp {brand}", "Công ty CP Chăn nuôi {place}"),
        (15, 300), .4, .1, .2),
}
# Industries every district has a little of, next to its own.
COMMON_INDUSTRIES = ("trade", "construction", "food", "garment")

BRANDS = (
    "Hưng Phát", "Thành Công", "Phú Thịnh", "An Phát", "Minh Khang", "Hoàng Long", "Việt Tiến",
    "Đại Dương", "Trường Sơn", "Hải Âu", "Sao Vàng", "Tân Thành", "Hòa Bình", "Phúc An",
    "Thịnh Vượng", "Kim Long", "Đông Á", "Toàn Cầu", "Hợp Lực", "Bình Minh", "Quang Minh",
    "Nam Việt", "Vạn Xuân", "Hồng Đức", "Thiên Phú", "Lam Hồng", "Tiến Đạt", "Quốc Tuấn",
    "Phương Đông", "Ngọc Sơn", "Hà Thanh", "Xuân Thành", "Đức Minh", "Trung Kiên", "Mai Linh",
    "Hoa Sen", "Bảo Ngọc", "Song Mã", "Sông Chu", "Hàm Rồng", "Lạch Trường", "Tân Á",
)
STREETS = ("Lê Lợi", "Trần Phú", "Quang Trung", "Bà Triệu", "Lê Lai", "Nguyễn Trãi", "Hàm Nghi",
           "Phan Chu Trinh", "Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Du", "Hai Bà Trưng")
PEOPLE = ("Nguyễn Văn Hùng", "Lê Thị Lan", "Trần Văn Minh", "Phạm Thị Hoa", "Hoàng Văn Nam",
          "Đỗ Thị Thu", "Vũ Văn Long", "Bùi Thị Hằng", "Lê Văn Thắng", "Nguyễn Thị Mai")
ACTION_NOTES = (
    "Đã hoàn thành, có ảnh minh chứng.",
    "Đang chờ nhà cung cấp giao thiết bị.",
    "Đã giao tổ an toàn COVID theo dõi hằng ngày.",
    "Đã phổ biến tới toàn bộ công nhân.",
)

# Signature enterprises: the district they open and their industry and name.
SIGNATURES: dict[str, tuple[str, str]] = {
    "Huyện Hoằng Hóa": ("garment", "Công ty TNHH May Xuất khẩu Hoằng Hóa"),
    "Thị xã Nghi Sơn": ("cement", "Công ty CP Xi măng Nghi Sơn"),
    "Huyện Thọ Xuân": ("footwear", "Công ty TNHH Giày da Thọ Xuân"),
    "Thành phố Sầm Sơn": ("seafood", "Công ty CP Chế biến Hải sản Sầm Sơn"),
}
OFFICER_ENTERPRISE = "Công ty TNHH May Xuất khẩu Hoằng Hóa"
# The former district whose grouping the commune/ward staff are bound to (the officer's
# enterprise is there, so the area admin sees it), and the level they propose for its first
# commune, waiting for the province admin.
AREA_STAFF_DISTRICT = "Huyện Hoằng Hóa"
AREA_PROPOSAL_REASON = "Ca bệnh mới tại khu dân cư gần chợ; đề nghị nâng cấp độ dịch"
AUDITOR_DISTRICTS = ("Thị xã Nghi Sơn", "Huyện Nông Cống", "Huyện Quảng Xương", "Thành phố Sầm Sơn")

# The second, smaller province, created through the same onboarding as any province.
SECOND_PROVINCE_CODE = "37"  # Ninh Bình
SECOND_TAX_PREFIX = "27"
SECOND_ENTERPRISES = (
    ("food", "Công ty CP Thực phẩm Tràng An"),
    ("garment", "Công ty TNHH May Hoa Lư"),
    ("cement", "Công ty CP Xi măng Tam Điệp"),
    ("hospitality", "Công ty CP Du lịch Tam Cốc"),
    ("footwear", "Công ty TNHH Giày da Gia Viễn"),
    ("trade", "Công ty TNHH Thương mại Kim Sơn"),
)
SECOND_USERS = (
    ("admin@ninhbinh.demo.riskapp.vn", Role.PROVINCE_ADMIN, "Đinh Văn Hoa"),
    ("officer@ninhbinh.demo.riskapp.vn", Role.OFFICER, "Trương Thị Lư"),
)
SECOND_OFFICER_ENTERPRISE = "Công ty TNHH May Hoa Lư"

DEMO_PASSWORD = "demo12345!"  # nosec B105 # published password of the demo seed only
DEMO_USERS = (
    ("platform@demo.riskapp.vn", Role.PLATFORM_ADMIN, "Quản trị nền tảng"),
    ("admin@thanhhoa.demo.riskapp.vn", Role.PROVINCE_ADMIN, "Lê Minh Quản"),
    ("viewer@thanhhoa.demo.riskapp.vn", Role.PROVINCE_VIEWER, "Phạm Thu Trang"),
    ("auditor@thanhhoa.demo.riskapp.vn", Role.AUDITOR, "Trần Văn Kiểm"),
    ("officer@thanhhoa.demo.riskapp.vn", Role.OFFICER, "Nguyễn Thị Hương"),
    ("xa-admin@thanhhoa.demo.riskapp.vn", Role.AREA_ADMIN, "Lê Văn Xã"),
    ("xa-viewer@thanhhoa.demo.riskapp.vn", Role.AREA_VIEWER, "Đỗ Thị Phường"),
)
