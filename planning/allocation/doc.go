// Package allocation is the quota allocation engine: it splits a year's new
// construction-land quota (新增建设用地计划指标) between districts, park
// earmarks and projects, and explains every decision.
//
// Run takes the plan (Input.Available), the accounts with their stock-land
// facts, the projects and a Policy, and returns a Decision per project
// (granted, partial, refused or waiting, with the score, its components,
// the rule that decided and one or two sentences in Chinese and English),
// a total per account, and what goes back to the reserve. It is pure: no
// database, no clock, no randomness; the same input gives the same result
// byte for byte, whatever the order of accounts and projects (ties are
// broken by project id, accounts are sorted by id).
//
// # Amounts
//
// Quota is counted in Area, integer hundredths of a square metre, so the
// ledger adds up exactly: Granted + ReturnedToReserve + Reserve ==
// Available, always. Texts show hectares with two decimals and 亩
// (1 hm² = 15 亩 exactly).
//
// # Step 1: reserve and factor split (因素法)
//
// The city keeps reserve_share of the available quota (预留). The rest is
// split between the districts (accounts with no parent) by weighted
// factors:
//
//	share_i = Σ_k w_k · x_ik / Σ_j x_jk
//
// where x_ik is district i's value of factor k: 5-year supply rate,
// 批而未供 and 闲置 land disposed of last year, 亩均税收, 亩均增加值, or the
// need of its eligible projects (quota follows the project). Weights sum to
// 1. A factor on which every district is 0 is split equally. A district's
// floor (its own, or the floors of its parks if larger) is guaranteed and
// its cap room (cap less the quota it already holds) is never exceeded; the
// split is "water filling": every district gets λ·share_i clamped to its
// floor and cap, with λ chosen so the pools add up to what is distributable,
// then rounded to whole units by largest remainder. What caps keep out goes
// back to the reserve. If the floors ask for more than there is, they
// shrink in proportion (noted in the result). The tilt does not enter the
// split.
//
// # Step 2: 增存挂钩
//
// A district whose 5-year average supply rate is below supply_rate.floor
// (default 60%) is cut: with action "cut" its ordinary projects may use
// only (1 − cut_fraction) of its pool; with "suspend" they get nothing and
// are refused. National key projects (and exempt_categories) are exempt:
// they may use the whole pool, and in such a district they are not held by
// park floors or caps either (they count in the park's statistics,
// AccountTotal.Exempt). Cut quota that exempt projects do not use goes back
// to the reserve.
//
// # Step 3: the score
//
//	points = category points
//	       + tax_per_mu_points × min(亩均税收 / reference, 1)
//	       + investment_intensity_points × min(investment per 亩 of need / reference, 1)
//	       + readiness_points × readiness
//	       + provincial-major bonus (省重大产业项目) + national-key bonus
//	score  = points × tilt
//
// The tilt is the category's multiplier (livelihood infrastructure,
// important manufacturing, major industrial by default) and applies only
// to projects whose account is, or lies inside, a cooperation park
// (Account.ReceivesTilt: Binfu, Binxiao). Every term is listed in
// Decision.Components.
//
// # Step 4: inside a district pool
//
// Projects draw on their district's pool. A park earmark's floor is kept
// for the park's projects first: nobody else may use it, and what they
// cannot use goes back to the reserve (the floor is first limited to the
// need of its eligible projects, so a floor never keeps quota nobody asked
// for). A park's cap limits what its projects receive; floors kept for its
// sub-parks count against it. Projects that are not eligible (a parcel
// outside the urban development boundary, or on permanent basic farmland
// or the ecological red line; the overlap areas are shown) are refused.
// Projects that need no new quota (built on existing construction land)
// are granted 0. Categories are all-or-nothing or partial (down to
// min_fraction of the need).
//
// The constraints of one district form a tree: the district's shared pool
// at the root, the cut share of ordinary projects and the parks below it,
// sub-parks below those. Each node has a bucket only its subtree may use (a
// floor) and a cap on what its subtree draws from above. A project fills
// the deepest bucket first. Such a tree is a flow network; its feasible
// grant vectors form a polymatroid, so filling projects in order of score
// maximises Σ score × area when grants are divisible.
//
// # Method "priority"
//
// Projects are ranked by score (then project id) inside each district pool
// and served in that order: each gets its full need if it fits, otherwise
// the most that is left if that reaches its minimum partial grant,
// otherwise nothing (and the next project is tried: a smaller one may still
// fit). Simple enough to explain to a district head: "you ranked 7th of 40;
// when your turn came 1.20 hm² was left, less than the 3.00 hm² your
// all-or-nothing project needs".
//
// # Method "optimal"
//
// The set of grants that maximises the total score-weighted area Σ score ×
// granted area (Result.ScoreWeightedHectares) under every balance, cap,
// floor, cut and all-or-nothing / minimum-partial rule, exactly. Districts
// are independent once the split is made. Inside one, an exact branch and
// bound: relaxing every project to "any amount from 0 to its need" gives a
// linear programme over the polymatroid, solved exactly by the greedy fill
// in score order; that is the bound. When the relaxed solution gives every
// undecided project either nothing or at least its minimum grant, it is
// feasible and optimal for that branch. Otherwise the search branches on
// the first project that got a fraction of its minimum: forced in (its
// minimum placed first) or forced out. The priority rule applied at every
// node gives the incumbent, so optimal is never worse than priority. After
// 2 000 nodes the reduction of knapsack solvers runs: a project whose bound
// with it forced in (or out) cannot beat the incumbent is fixed the other
// way. Ties keep the first optimum found in the fixed order: deterministic.
// Tests compare it with brute force on thousands of random instances of up
// to 20 projects.
//
// Worst case: 2^b nodes for b all-or-nothing or minimum-fraction projects
// in one district, each node O(n). Projects of equal score that are all
// all-or-nothing make a district a subset-sum problem that no bound prunes;
// the search then stops after a fixed budget (about four seconds) and Run
// returns a planning.ErrUnavailable error rather than an inexact answer.
// Real data is far from that: with 10,000 projects over 50 accounts the
// default policy takes a few hundred nodes in all, and even with every
// category all-or-nothing a few tens of thousands.
//
// # What the tilt does and does not promise
//
// Raising a tilt multiplier never changes the district split and never
// lowers the cooperation parks' granted area when grants are divisible
// (partial with no minimum); then both methods give the same result. With
// all-or-nothing grants no method can promise it: a tilted 6 hm² park
// project that overtakes an 8 hm² park project may leave room for a 3 hm²
// district project instead (TestTiltAllOrNothingCounterexample).
//
// # Policy
//
// Policy is versioned per year and stored as JSON (snake_case). DecodePolicy
// refuses unknown fields and validates; every error is a *planning.Error
// with code invalid whose message starts with the JSON path of the field
// ("factors[2].weight: must be >= 0"). DefaultPolicy documents the
// defaults. UndergroundNeedsQuota is carried for the need derivation
// elsewhere; the engine does not use it.
package allocation
