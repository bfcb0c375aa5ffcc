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
// Available, always (Granted includes what came from the park earmark,
// ReturnedToReserve its unused part). Texts show hectares with two decimals and 亩
// (1 hm² = 15 亩 exactly).
//
// # Step 1: reserve and factor split (因素法)
//
// The city keeps reserve_share of the available quota (预留); the park
// earmark (step 5) is later taken out of it, and Result.Reserve is what
// stays. The rest is split between the districts (accounts with no parent)
// by weighted factors:
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
// are refused. National key projects and the exempt_categories (by default
// livelihood_infrastructure and affordable_housing: 民生保障项目) are exempt:
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
// to projects whose account is, or lies inside, a park that receives the
// tilt (Account.ReceivesTilt, set per park: the cooperation parks Binfu
// and Binxiao, or any park given the flag). Every term is listed in
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
// in one district, each node O(n). Real data is far from that: with 10,000
// projects over 50 accounts the default policy takes a few hundred nodes
// in all, and even with every category all-or-nothing a few tens of
// thousands.
//
// Optimal always answers. The search has a work budget per run (about four
// seconds); when it runs out in a district, that district keeps the best
// allocation found (at worst the priority method's) and Result.Exact is
// false. Result.GapBound (gap_bound_score_hm2, in score × hm², the unit of
// ScoreWeightedHectares) then bounds how far the true optimum can lie
// above the answer: the largest relaxation among the branches the search
// had not explored (the node where it stopped and every forced-out branch
// still pending), less the answer. That is proven, because every explored
// branch was solved or pruned below the incumbent. A note names each such
// district. Priority runs are always exact with gap 0: they do not
// optimise.
//
// Subset sum. Projects of equal score that are all all-or-nothing and draw
// on one node of the tree make a district a subset-sum problem that no
// bound prunes: every set whose needs fit in what the node can draw is
// feasible, and the best is the one with the largest total need. Such a
// district is solved exactly by dynamic programming over integer areas: a
// bitset of the sums reachable up to the capacity (min(capacity, Σ needs),
// in units of the needs' greatest common divisor) gives the largest; the
// chosen set is rebuilt by divide and conquer (the sum each half
// contributes, then each half on its own), so memory stays a few bitsets
// of the capacity rather than one per project, and time about three
// passes of n shifts over the bitset. The DP is used up to a capacity of
// 2^28 units (a 32 MiB bitset: 2 684 hm² in 0.01 m² units, 100 times more
// when the needs are whole square metres) and 2^30 item × word steps
// (about a second); beyond that the search above runs, with its bound. 60
// such projects of 1-5 hm² take about half a second
// (BenchmarkSubsetSumDistrict). Among equal-total sets the choice is the
// DP's fixed order: deterministic.
//
// # Step 5: the park earmark (合作园增加用地指标)
//
// The multiplier only reorders projects inside a district pool; the park
// earmark adds quota. After every district pool is solved as above (so the
// districts' pools and their grants do not depend on it), a second pass
// takes E = min(reserve, round(Available × park_earmark.share)) from the
// city reserve (share <= reserve_share). E is split between the parks
// receiving the tilt (the outermost ones: a sub-park counts in its park)
// in proportion to the need their grantable projects (eligible, not
// suspended, need > 0) of the earmark categories (park_earmark.categories,
// by default 民生基础设施, 重要制造业, 重大产业项目) still have after the pool,
// never more than that need, in whole units by the D'Hondt method, ties to
// the earlier account id. (Largest remainder, the obvious rounding, is not
// monotone: a larger E can give a park one unit less, the Alabama paradox,
// and one unit less can cost an all-or-nothing project. D'Hondt hands out
// units in one fixed order, so a larger E never gives any park less, and
// each park is within a few hundredths of a square metre of exact
// proportion.) Each park then grants its share to those projects in score
// order (then project id) by the priority rule: the rest of the need if it
// fits, else what is left if that reaches the minimum grant (any amount for
// a project the pool granted in part), within the cap room left to every
// park above the project; exempt projects are not held by park caps, as in
// step 2. The earmark is city quota added for the park, so district caps
// do not limit it. What it leaves unused goes back to the reserve
// (ReturnedToReserve). Decision.EarmarkGranted and AccountTotal.Earmark
// show the part of Granted that came from the earmark, and the
// explanations say how much came from the 合作园专项.
//
// Both methods fill the earmark greedily, because a single bucket filled
// greedily in a fixed order never grants less from a larger bucket, which
// is what the policy promises (raising the earmark never lowers what the
// parks receive); an exact optimum of each park's bucket would not keep
// that promise. Proof: run the fill with buckets B < B' and look at the
// first project where the runs differ. Before it both granted the same G,
// so the larger run has r' = r + (B' − B) left against the smaller run's
// r, and the same cap room. There the smaller run's room was its bucket r,
// not a cap (a binding cap is the same in both runs and would give the
// same grant), and it did not grant the full rest of the need (else the
// larger run would too): so it granted r or nothing, and with r left it
// grants at most G + r in all. The larger run has more room there (r' > r
// and a cap above r), so it grants the full rest of the need, which
// exceeds r, or all its room, more than r: its total exceeds G + r. If
// the runs never differ, the totals are equal. With each park's
// share monotone in E (D'Hondt) and the pool grants fixed, the total
// granted to projects in tilt parks never decreases as the share grows
// (TestEarmarkMonotone). One configuration escapes the proof: two parks
// receiving the tilt inside one capped park that does not receive it share
// that cap's room, filled in account-id order, so a larger share for the
// first can crowd out an all-or-nothing project of the second. Give the
// tilt to the enclosing park instead (its sub-parks then count in it).
//
// # What the tilt does and does not promise
//
// Raising a tilt multiplier never changes the district split and never
// lowers the tilt parks' granted area from the district pools when grants
// are divisible (partial with no minimum); then both methods give the same
// result. With all-or-nothing grants no method can promise it: a tilted
// 6 hm² park project that overtakes an 8 hm² park project may leave room
// for a 3 hm² district project instead
// (TestTiltAllOrNothingCounterexample). The promise is about the pools:
// a higher multiplier can let the pool cover a park's earmark-category
// project that the earmark would otherwise have topped up, and the
// earmark, limited to those categories, may then go partly unused.
//
// # Policy
//
// Policy is versioned per year and stored as JSON (snake_case). DecodePolicy
// refuses unknown fields and validates; every error is a *planning.Error
// with code invalid whose message starts with the JSON path of the field
// ("factors[2].weight: must be >= 0"). DefaultPolicy documents the
// defaults. UndergroundNeedsQuota is carried for the need derivation
// elsewhere; the engine does not use it.
//
// The year-end rules are validated and carried here and applied by the
// plan close: carry_over {share 0..1 of what each account holds at year
// end is carried into next year's plan, the rest lapses; document, the
// approving document, required when share > 0} and stock_linkage
// {reward_ratio 0..1: each district's reward in next year's plan is
// reward_ratio × the 批而未供 and 闲置 land it disposed in the closed year;
// withhold_below_floor: a district whose 5-year supply rate is below
// supply_rate.floor carries nothing over and gets no reward}. A policy
// stored before these fields existed decodes with no park earmark (share
// 0), the default earmark categories, carry_over share 0 and
// withhold_below_floor true.
package allocation
