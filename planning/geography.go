package planning

import (
	"regexp"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// District is an administrative district (区县). It holds the quota account:
// land used anywhere inside it draws on its quota, whatever park it lies in.
type District struct {
	Adcode       string // 6-digit administrative code, e.g. 330108 滨江区
	NameZh       string
	NameEn       string
	ParentAdcode string // 330100 Hangzhou
	Outline      orb.MultiPolygon
	AreaM2       float64 // computed by the database in EPSG:4549
}

// ParkKind says what sort of park a Park is (一区多园: parks are data, not code).
type ParkKind string

const (
	ParkCoreZone               ParkKind = "core_zone"                // 核心区 (the High-tech Zone itself)
	ParkSpecialCooperationZone ParkKind = "special_cooperation_zone" // 特别合作区 (Binfu)
	ParkSpecialCooperationPark ParkKind = "special_cooperation_park" // 特别合作园 (Binxiao)
	ParkCooperationPark        ParkKind = "cooperation_park"         // 合作园区
	ParkFunctionalPark         ParkKind = "functional_park"          // 功能园区
	ParkEnclave                ParkKind = "enclave"                  // 科创飞地
)

// ParkKinds lists every kind in display order.
var ParkKinds = []ParkKind{ParkCoreZone, ParkSpecialCooperationZone, ParkSpecialCooperationPark, ParkCooperationPark, ParkFunctionalPark, ParkEnclave}

// Valid reports whether k is a known kind.
func (k ParkKind) Valid() bool { return slices.Contains(ParkKinds, k) }

// Park is a statistical attribution (园区): parcels inside it count in its
// statistics but draw quota from their host district (不破行政隶属).
type Park struct {
	Code         string // stable short code, e.g. BINFU
	NameZh       string
	NameEn       string
	Kind         ParkKind
	HostDistrict string // adcode of the district whose quota it uses
	ParentCode   string // 一区多园: the park this sub-park or block belongs to; "" none
	Outline      orb.MultiPolygon
	AreaM2       float64
}

// Enclave is a science enclave (科创飞地): floor space the High-tech Zone
// leases in another city or abroad, counted in statistics, holding no quota
// (quota is drawn only where land lies). Coordinates are WGS84/CGCS2000
// degrees anywhere on Earth; the site is measured in its own UTM zone.
type Enclave struct {
	Code         string       `json:"code"`
	NameZh       string       `json:"name_zh"`
	NameEn       string       `json:"name_en"`
	HomePark     string       `json:"home_park,omitempty"` // the park it reports to (HTZ)
	City         string       `json:"city"`
	Country      string       `json:"country"` // ISO 3166 alpha-2
	Location     orb.Point    `json:"location"`
	Site         orb.Geometry `json:"-"` // optional outline: Polygon or MultiPolygon
	SiteAreaM2   *float64     `json:"site_area_m2,omitempty"`
	FloorAreaM2  float64      `json:"floor_area_m2"`
	LeaseStartOn *time.Time   `json:"-"`
	LeaseEndOn   *time.Time   `json:"-"`
	LeaseStart   string       `json:"lease_start_on,omitempty"`
	LeaseEnd     string       `json:"lease_end_on,omitempty"`
}

// ZoneKind is one of the protected lines of 三区三线.
type ZoneKind string

const (
	ZoneFarmland    ZoneKind = "permanent_basic_farmland"   // 永久基本农田: may not be occupied
	ZoneRedLine     ZoneKind = "ecological_red_line"        // 生态保护红线: development banned
	ZoneDevBoundary ZoneKind = "urban_development_boundary" // 城镇开发边界: where building may happen
)

// ZoneKinds lists every protected-line kind.
var ZoneKinds = []ZoneKind{ZoneFarmland, ZoneRedLine, ZoneDevBoundary}

// Valid reports whether k is a known kind.
func (k ZoneKind) Valid() bool { return slices.Contains(ZoneKinds, k) }

// ProtectedZone is one polygon of a protected line.
type ProtectedZone struct {
	ID      int64
	Kind    ZoneKind
	Name    string
	Outline orb.MultiPolygon
	AreaM2  float64
}

// LandUseCodePattern is the shape of a class code of the 2023 guide: two
// digits a level, so 2 (10), 4 (1001) or 6 (100101) digits. Every place
// that reads a land-use code checks it with this one pattern.
var LandUseCodePattern = regexp.MustCompile(`^[0-9]{2}([0-9]{2}){0,2}$`)

// LandUseClass is one code of the 2023 用地用海分类 (自然资发〔2023〕234号),
// or a local class a province or city adds under it (Local).
type LandUseClass struct {
	Code         string   `json:"code"`        // '10', '1001', '100101'
	ParentCode   string   `json:"parent_code"` // empty for first-level classes
	Level        int      `json:"level"`
	NameZh       string   `json:"name_zh"`
	NameEn       string   `json:"name_en"`
	Construction bool     `json:"construction"` // counts as construction land (建设用地)
	Local        bool     `json:"local"`
	Source       string   `json:"source"`  // who added a local class (浙江省, 杭州市)
	Aliases      []string `json:"aliases"` // codes files write for it (M0)
}
