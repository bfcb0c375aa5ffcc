package planner

import (
	"slices"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Sections of the statistics: the administrative view (each district with
// the parks it hosts "of which") and the High-tech Zone's view (一区多园:
// the core zone plus the cooperation parks, which the policy asks to count
// in the High-tech Zone's statistics as well).
const (
	SectionDistrict     = "district"       // 按行政区
	SectionHighTechZone = "high_tech_zone" // 高新区统计口径
)

// Levels of a row within its section.
const (
	LevelUnit    = "unit"     // a district, or a member of the High-tech Zone
	LevelOfWhich = "of_which" // 其中: a park inside the district above (already in its figures)
	LevelTotal   = "total"    // 合计
	LevelNote    = "note"     // 注: an explanation row
)

// DistrictInfo names a district.
type DistrictInfo struct {
	Adcode string `json:"adcode"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// ParkInfo names a park and its host district.
type ParkInfo struct {
	Code         string            `json:"code"`
	NameZh       string            `json:"name_zh"`
	NameEn       string            `json:"name_en"`
	Kind         planning.ParkKind `json:"kind"`
	HostDistrict string            `json:"host_district"`
	ParentCode   string            `json:"parent_code,omitempty"` // 一区多园: sub-park or block of this park
	// CountsInHTZ: counted in the High-tech Zone statistics (统计核算);
	// per park, data (parks.counts_in_htz).
	CountsInHTZ bool `json:"counts_in_htz"`
}

// Unit is one row-owner of the statistics: a district, a park, or a total.
// Its figures are the sum of the parcels of its districts and of its parks
// (a parcel matching both is counted once) and of the quota accounts
// rooted at its account codes.
type Unit struct {
	Section       string `json:"section"`
	Level         string `json:"level"`
	Code          string `json:"code"`
	NameZh        string `json:"name_zh"`
	NameEn        string `json:"name_en"`
	HostDistrict  string `json:"host_district,omitempty"`
	DoubleCounted bool   `json:"double_counted"` // its figures also appear in another section's rows
	NoteZh        string `json:"note_zh,omitempty"`
	NoteEn        string `json:"note_en,omitempty"`

	districts []string
	parks     []string
	accounts  []string
}

// takes reports whether the parcels of (district, park) count in u.
func (u *Unit) takes(district, park string) bool {
	return slices.Contains(u.districts, district) || park != "" && slices.Contains(u.parks, park)
}

// DoubleCountNote explains the double counting once, for the notes and the
// note rows of every table.
var DoubleCountNote = Verdict{
	Zh: "注：合作园区（如滨富、滨萧）不改变行政隶属，其数据既计入所在区（按行政区口径），也计入高新区（高新区统计口径）；两个口径的合计不能相加，否则重复计算。",
	En: "Note: the cooperation parks (e.g. Binfu, Binxiao) keep their administrative affiliation; their figures count both in their host district (administrative view) and in the High-tech Zone (High-tech Zone view). Do not add the two views' totals: that would count the parks twice.",
}

// BuildUnits lays out the rows: every district with its parks "of which"
// and a total; then the High-tech Zone: its core zone counted as the whole
// host district (高新区与滨江区合署, one administration), each park hosted
// elsewhere (flagged as double counted), and the High-tech Zone total.
// Without a core-zone park, the High-tech Zone view lists every park.
func BuildUnits(districts []DistrictInfo, parks []ParkInfo) []Unit {
	names := map[string]DistrictInfo{}
	for _, d := range districts {
		names[d.Adcode] = d
	}
	var out []Unit
	total := Unit{Section: SectionDistrict, Level: LevelTotal, Code: "", NameZh: "各区合计", NameEn: "All districts"}
	for _, d := range districts {
		out = append(out, Unit{Section: SectionDistrict, Level: LevelUnit, Code: d.Adcode, NameZh: d.NameZh, NameEn: d.NameEn,
			districts: []string{d.Adcode}, accounts: []string{d.Adcode}})
		for _, p := range parks {
			if p.HostDistrict != d.Adcode {
				continue
			}
			out = append(out, Unit{Section: SectionDistrict, Level: LevelOfWhich, Code: p.Code, NameZh: "其中：" + p.NameZh,
				NameEn: "of which " + p.NameEn, HostDistrict: p.HostDistrict,
				NoteZh: "已含在" + d.NameZh + "内", NoteEn: "included in " + d.NameEn,
				parks: family(parks, p.Code), accounts: []string{p.HostDistrict + "/" + p.Code}})
		}
		total.districts = append(total.districts, d.Adcode)
		total.accounts = append(total.accounts, d.Adcode)
	}
	out = append(out, total)
	if len(parks) == 0 {
		return out
	}

	var core *ParkInfo
	for i := range parks {
		if parks[i].Kind == planning.ParkCoreZone {
			core = &parks[i]
			break
		}
	}
	htz := Unit{Section: SectionHighTechZone, Level: LevelTotal, NameZh: "高新区合计（含合作园区）", NameEn: "High-tech Zone total (with the cooperation parks)",
		DoubleCounted: true, NoteZh: DoubleCountNote.Zh, NoteEn: DoubleCountNote.En}
	if core != nil {
		host := names[core.HostDistrict]
		out = append(out, Unit{Section: SectionHighTechZone, Level: LevelUnit, Code: core.Code, NameZh: core.NameZh, NameEn: core.NameEn,
			HostDistrict: core.HostDistrict, NoteZh: "按" + host.NameZh + "全域计（区政合一）", NoteEn: "counted as the whole of " + host.NameEn + " (one administration)",
			districts: []string{core.HostDistrict}, accounts: []string{core.HostDistrict}})
		htz.districts = []string{core.HostDistrict}
		htz.accounts = []string{core.HostDistrict}
	}
	for _, p := range parks {
		switch {
		case !p.CountsInHTZ:
			continue // the park's own flag: not in the High-tech Zone statistics
		case core != nil && p.HostDistrict == core.HostDistrict:
			continue // inside the core zone's district already
		case p.ParentCode != "" && counted(parks, p.ParentCode):
			continue // in its parent park's row
		}
		host := names[p.HostDistrict]
		out = append(out, Unit{Section: SectionHighTechZone, Level: LevelUnit, Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn,
			HostDistrict: p.HostDistrict, DoubleCounted: true,
			NoteZh: "同时计入" + host.NameZh + "（按行政区口径）", NoteEn: "also counted in " + host.NameEn + " (administrative view)",
			parks: family(parks, p.Code), accounts: []string{p.HostDistrict + "/" + p.Code}})
		htz.parks = append(htz.parks, family(parks, p.Code)...)
		htz.accounts = append(htz.accounts, p.HostDistrict+"/"+p.Code)
	}
	return append(out, htz)
}

// family is a park and its sub-parks and blocks, at any depth (一区多园).
func family(parks []ParkInfo, code string) []string {
	out := []string{code}
	for i := 0; i < len(out); i++ {
		for _, p := range parks {
			if p.ParentCode == out[i] && !slices.Contains(out, p.Code) {
				out = append(out, p.Code)
			}
		}
	}
	return out
}

// counted reports whether the park code counts in the High-tech Zone rows.
func counted(parks []ParkInfo, code string) bool {
	for _, p := range parks {
		if p.Code == code {
			return p.CountsInHTZ
		}
	}
	return false
}
