package planning

import (
	"time"

	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/paulmach/orb"
)

// Status is a parcel's lifecycle stage (docs/DOMAIN.md §5). Derived states
// such as 批而未供 and 闲置 are computed from dates, never stored as a status.
type Status string

const (
	StatusPlanned           Status = "planned"            // 未报批: not yet filed for approval
	StatusFiled             Status = "filed"              // 农转用/征收 报批中
	StatusApproved          Status = "approved"           // 已批
	StatusExpropriated      Status = "expropriated"       // 已征收
	StatusReserve           Status = "reserve"            // 储备: expropriated or recovered, held by the land reserve centre before supply
	StatusSupplied          Status = "supplied"           // 已供地 (出让/划拨)
	StatusUnderConstruction Status = "under_construction" // 在建
	StatusCompleted         Status = "completed"          // 竣工
	StatusInProduction      Status = "in_production"      // 投产
	StatusLowEfficiency     Status = "low_efficiency"     // 低效
	StatusRedevelopment     Status = "redevelopment"      // 再开发
)

// StatusInfo names a status in both languages.
type StatusInfo struct {
	Code   Status `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// Statuses lists the lifecycle in order. The parcel_statuses table holds the
// same rows (a test keeps the two equal).
var Statuses = []StatusInfo{
	{StatusPlanned, "未报批", "Planned (not yet filed)"},
	{StatusFiled, "报批中", "Filed for conversion"},
	{StatusApproved, "已批未征", "Approved"},
	{StatusExpropriated, "已征收", "Expropriated"},
	{StatusReserve, "储备", "Reserve"},
	{StatusSupplied, "已供地", "Supplied"},
	{StatusUnderConstruction, "在建", "Under construction"},
	{StatusCompleted, "竣工", "Completed"},
	{StatusInProduction, "投产", "In production"},
	{StatusLowEfficiency, "低效", "Low-efficiency"},
	{StatusRedevelopment, "再开发", "Redevelopment"},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v.Code == s {
			return true
		}
	}
	return false
}

// Supplied reports whether land in this status has been supplied (供地):
// every stage from supply onwards.
func (s Status) Supplied() bool {
	switch s {
	case StatusSupplied, StatusUnderConstruction, StatusCompleted, StatusInProduction, StatusLowEfficiency, StatusRedevelopment:
		return true
	}
	return false
}

// ConversionApproved reports whether conversion (农转用) was approved by this
// stage: approved and every later stage. Planned and filed land has no
// approval yet; new quota is consumed at approval (无指标不得批地).
func (s Status) ConversionApproved() bool {
	switch s {
	case StatusPlanned, StatusFiled:
		return false
	}
	return s.Valid()
}

// LineException is a recorded exception to the protected lines (三区三线).
type LineException string

const (
	LineExceptionNone LineException = ""
	// 单独选址 infrastructure (roads, utilities: 民生基础设施) may lie outside
	// the urban development boundary.
	LineExceptionSingleSite LineException = "single_site_infrastructure"
	// A national major project approved by the State Council (国务院批准的
	// 国家重大项目) may occupy permanent basic farmland or the red line.
	LineExceptionMajorProject LineException = "state_council_major_project"
)

// Valid reports whether e is none or a known exception.
func (e LineException) Valid() bool {
	return e == LineExceptionNone || e == LineExceptionSingleSite || e == LineExceptionMajorProject
}

// SupplyMethod is how land was supplied: 出让 (sale) or 划拨 (allocation).
type SupplyMethod string

const (
	SupplyNone       SupplyMethod = ""
	SupplySale       SupplyMethod = "sale"       // 出让
	SupplyAllocation SupplyMethod = "allocation" // 划拨
)

// ApprovalKind is how conversion was approved.
type ApprovalKind string

const (
	ApprovalNone       ApprovalKind = ""
	ApprovalCityBatch  ApprovalKind = "city_batch"  // 城市批次
	ApprovalSingleSite ApprovalKind = "single_site" // 单独选址
)

// Elevation is the vertical extent of a land-use right in metres relative to
// ground, half open [Bottom, Top). A nil bound is unbounded. A surface right
// is [0, ∞); a stratified underground right (分层设立建设用地使用权) might be
// [-30, -5). Two rights may share a footprint only if their ranges are disjoint.
type Elevation struct {
	Bottom *float64
	Top    *float64
}

// Surface is the default elevation of a parcel: from the ground up.
func Surface() Elevation { z := 0.0; return Elevation{Bottom: &z} }

// Underground reports whether the right lies wholly below ground.
func (e Elevation) Underground() bool { return e.Top != nil && *e.Top <= 0 }

// Parcel is one land parcel (地块). District decides whose quota it uses;
// Park (optional) only decides where it is counted in statistics.
type Parcel struct {
	ID         int64
	Code       string // 地块编号, unique
	District   string // adcode
	Park       string // park code or empty
	LandUse    string // 规划用途: planned use, 2023 class code, from the 控规
	CurrentUse string // 现状地类: today's use from the 三调 survey, crosswalked to a 2023 class; "" unknown
	// 混合用地: a compatible planned use beside LandUse, with its share of
	// the floor area (the main use has the rest); "" when not mixed.
	CompatibleUse   string
	CompatibleShare *float64
	// A protected-line exception and its approving document (文号).
	LineException         LineException
	LineExceptionDocument string
	Status                Status
	Outline               orb.MultiPolygon // EPSG:4490
	AreaM2                float64          // computed by the database in EPSG:4549; never from input
	// Official areas (m²) as the documents state them: 三调 图斑面积 TBMJ and
	// 扣除面积 KCMJ, the approved area, the contract area; nil unknown.
	SurveyAreaM2, SurveyDeductionM2, ApprovedAreaM2, ContractAreaM2 *float64
	PlotRatio                                                       *float64 // 容积率
	BuildingDensity                                                 *float64 // 建筑密度, 0..1
	GreenRatio                                                      *float64 // 绿地率, 0..1
	Affordable                                                      bool     // 保障性住房 (a flag on residential parcels)
	SupplyMethod                                                    SupplyMethod
	ApprovalKind                                                    ApprovalKind
	ApprovedOn                                                      *time.Time
	SuppliedOn                                                      *time.Time
	HandedOverOn                                                    *time.Time // 交地
	AgreedStartOn                                                   *time.Time // 约定开工日期
	ActualStartOn                                                   *time.Time
	CompletedOn                                                     *time.Time
	Elevation                                                       Elevation
	// ConstructionLand (already construction land today: stock, needs no new
	// quota) is derived by the store from CurrentUse, or from the override;
	// what a caller sets here is kept only while CurrentUse is unknown.
	ConstructionLand bool
	// ConstructionOverride replaces the derived flag; it needs a reason.
	ConstructionOverride       *bool
	ConstructionOverrideReason string
	GovernmentDelay            bool // delay caused by government: exempt from 闲置
	CreatedAt                  time.Time
	UpdatedAt                  time.Time
}

// AreaMu is the area in 亩.
func (p *Parcel) AreaMu() float64 { return amount.Mu.FromM2(p.AreaM2) }

// AreaHectares is the area in hm².
func (p *Parcel) AreaHectares() float64 { return amount.Hectare.FromM2(p.AreaM2) }

// LineTolerance is the policy (eligibility_policy) under which an overlap
// with a protected line is no conflict: at most AreaM2, or thinner
// everywhere than WidthM (a digitising seam along a shared edge), whatever
// its area. A WidthM of 0 switches the width off.
type LineTolerance struct {
	AreaM2 float64 `json:"area_m2"`
	WidthM float64 `json:"sliver_width_m"`
}

// DefaultLineTolerance is the policy as the migrations seed it (020, 024).
var DefaultLineTolerance = LineTolerance{AreaM2: 1, WidthM: 0.5}

// Check refuses a policy that makes no sense, naming the field.
func (t LineTolerance) Check() error {
	if !(t.AreaM2 >= 0 && t.AreaM2 <= 10000) {
		return Errorf(ErrInvalid, "tolerance_m2: %v is not between 0 and 10000 m²", t.AreaM2).WithDetail("field", "tolerance_m2")
	}
	if !(t.WidthM >= 0 && t.WidthM <= 10) {
		return Errorf(ErrInvalid, "sliver_width_m: %v is not between 0 and 10 m (0 switches the width off)", t.WidthM).WithDetail("field", "sliver_width_m")
	}
	return nil
}

// Overlap is one measured overlap with a protected line, in EPSG:4549: its
// area and its width (the widest disc that fits in it, capped at 10 m).
type Overlap struct {
	M2     float64
	WidthM float64
}

// Counts reports whether o is a conflict under t.
func (t LineTolerance) Counts(o Overlap) bool { return o.M2 > t.AreaM2 && o.WidthM >= t.WidthM }

// Eligible is the protected-line rule (docs/DOMAIN.md §6) with the
// exceptions: inside the urban development boundary, unless 单独选址
// infrastructure; clear of farmland and red line, unless a State Council
// major project; an overlap the tolerance t ignores is clear. The store
// renders the same rule to SQL (eligibleSQL); a test keeps the two equal.
// Project needs apply it parcel by parcel.
func Eligible(farm, red, outside Overlap, t LineTolerance, x LineException) bool {
	return (!t.Counts(outside) || x == LineExceptionSingleSite) &&
		(!t.Counts(farm) && !t.Counts(red) || x == LineExceptionMajorProject)
}
