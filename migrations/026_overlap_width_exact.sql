-- The width of an overlap (024) without the bisection of inward buffers.
-- The rule is unchanged: the width of a polygonal overlap in a metric SRID
-- is the diameter of the widest disc that fits in it (twice its largest
-- inscribed circle's radius, the clearance of the point farthest from its
-- edges), capped at 10 m, the policy's largest sliver width.
--
-- 024 found it by bisecting ST_Buffer(piece, -w/2) to 5 mm: about 11
-- buffers a call, and for every parcel no zone touches (its whole outline
-- is outside the boundary), so at 10M demo parcels (46 m² mean, 99.6% of
-- them narrower than 10 m) most of the seed's conflict step. GEOS's
-- inward buffer is also wrong near the inradius: it can drop a region of
-- several m² as empty, so the bisection answered 3.85 m for a parcel in
-- which a 4.58 m disc fits (docs/SCALING.md). What replaces it:
--
-- * A convex overlap with one ring (nearly every parcel, once corners
--   within 0.1 mm of straight are dropped): exactly, by arithmetic, no
--   GEOS. Up to 12 edges as the least radius over triples of edge lines
--   (linear programming duality); more as the time at which the outline,
--   each edge moving inwards at unit speed, vanishes (its straight
--   skeleton, for a convex polygon its medial axis). Within 0.2 mm.
-- * Anything else (holes, several parts, a reflex corner): the old exit
--   for 10 m, then GEOS's ST_MaximumInscribedCircle, whose centre lies in
--   the overlap at exactly the radius it reports from the edges, so twice
--   it is a width that surely fits (checked: not so for a shape too thin
--   for its search) and falls short by at most twice PostGIS's
--   tolerance, the envelope's larger side / 1000. Inward buffers
--   then narrow that interval to 5 mm, never below the circle's width
--   (within 5 mm but for GEOS's buffer faults, never below that circle).
--   About 0.5 ms a call under load, but only for such overlaps (pieces
--   of parcels a zone cuts, parcels with a reflex corner).
CREATE OR REPLACE FUNCTION lq_overlap_width(piece geometry) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  c geometry;
  ring geometry;
  a double precision;
  np int;
  n int := 0;
  i int;
  j int;
  k int;
  x0 double precision;  -- the first vertex
  y0 double precision;
  px double precision;
  py double precision;
  x double precision[];  -- the vertices, from the first
  y double precision[];
  dx double precision[];  -- the edges' unit directions
  dy double precision[];
  len double precision;
  s double precision := 0;  -- the orientation: 1 anticlockwise, -1 clockwise, 0 not convex
  nc double precision[];  -- n·p of each edge's line
  r double precision;
  w1 double precision;
  w2 double precision;
  w3 double precision;
  qx double precision[];  -- the vertices at time t (vertex i starts edge i)
  qy double precision[];
  vx double precision[];  -- their velocities
  vy double precision[];
  t double precision := 0;
  tau double precision;
  best double precision;
  bi int;
  rate double precision;
  dot double precision;
  lo double precision;
  hi double precision;
  mid double precision;
BEGIN
  IF ST_IsEmpty(piece) THEN
    RETURN 0;
  END IF;
  a := ST_Area(piece);
  IF a = 0 THEN
    RETURN 0;
  END IF;
  -- Most whole parcels of the demo at 1M: the centroid lies 5 m or more
  -- inside, so a 10 m disc fits. Not tried when 2 area / perimeter, an
  -- upper bound of the inradius of a convex shape, says it cannot be.
  IF 2 * a / ST_Perimeter(piece) >= 5 THEN
    c := ST_Centroid(piece);
    IF ST_Intersects(piece, c) AND ST_Distance(ST_Boundary(piece), c) >= 5 THEN
      RETURN 10;
    END IF;
  END IF;

  -- Corners within 0.1 mm of a straight line (the demo's blocks split
  -- along their sides) are dropped first: fewer edges, and a corner
  -- reflex by less than that is no reason to leave the exact path. Moving
  -- the outline by at most 0.1 mm moves the width by at most 0.2 mm.
  c := ST_Simplify(piece, 0.0001);
  IF NOT ST_IsEmpty(c) AND ST_NumGeometries(c) = 1 AND ST_NRings(c) = 1 THEN
    ring := ST_ExteriorRing(ST_GeometryN(c, 1));
    np := ST_NPoints(ring) - 1;  -- the ring is closed
    -- the distinct consecutive vertices
    c := ST_StartPoint(ring);
    x0 := ST_X(c);
    y0 := ST_Y(c);
    FOR i IN 1..np LOOP
      c := ST_PointN(ring, i);
      px := ST_X(c) - x0;  -- from the first vertex: no cancellation
      py := ST_Y(c) - y0;
      IF n = 0 OR px <> x[n] OR py <> y[n] THEN
        n := n + 1;
        x[n] := px;
        y[n] := py;
      END IF;
    END LOOP;
    IF n > 1 AND x[n] = x[1] AND y[n] = y[1] THEN
      n := n - 1;
    END IF;
    IF n >= 3 THEN
      -- unit edge directions, and the orientation (s > 0: anticlockwise)
      FOR i IN 1..n LOOP
        j := i % n + 1;
        len := sqrt((x[j] - x[i]) ^ 2 + (y[j] - y[i]) ^ 2);
        dx[i] := (x[j] - x[i]) / len;
        dy[i] := (y[j] - y[i]) / len;
        s := s + x[i] * y[j] - x[j] * y[i];
      END LOOP;
      s := sign(s);
      -- convex: every corner turns the same way as the ring (a corner
      -- straight to 1e-9 counts, its lines are the edges')
      FOR i IN 1..n LOOP
        j := i % n + 1;
        IF s * (dx[i] * dy[j] - dy[i] * dx[j]) < -1e-9 THEN
          s := 0;
          EXIT;
        END IF;
      END LOOP;
    END IF;
    IF n >= 3 AND s <> 0 AND n <= 12 THEN
      -- Up to 12 edges: the inradius of a convex polygon is the least over
      -- the triples of its edges' lines that hem a disc in (their inward
      -- normals n have weights w >= 0, not all 0, with Σ w n = 0) of that
      -- disc's radius, -Σ w (n·p) / Σ w, p a point of each line (linear
      -- programming duality: max r with n·q >= n·p + r for every edge).
      -- Two opposite lines are the triples with one weight 0.
      FOR i IN 1..n LOOP
        nc[i] := s * (dx[i] * y[i] - dy[i] * x[i]);  -- n = s (-dy, dx)
      END LOOP;
      r := 'Infinity';
      FOR i IN 1..n - 2 LOOP
        FOR j IN i + 1..n - 1 LOOP
          w3 := dx[i] * dy[j] - dy[i] * dx[j];  -- the cross of the normals is that of the directions
          FOR k IN j + 1..n LOOP
            w1 := dx[j] * dy[k] - dy[j] * dx[k];
            w2 := dx[k] * dy[i] - dy[k] * dx[i];
            IF (w1 >= -1e-12 AND w2 >= -1e-12 AND w3 >= -1e-12 OR w1 <= 1e-12 AND w2 <= 1e-12 AND w3 <= 1e-12)
               AND abs(w1 + w2 + w3) > 1e-12 THEN
              r := least(r, -(w1 * nc[i] + w2 * nc[j] + w3 * nc[k]) / (w1 + w2 + w3));
            END IF;
          END LOOP;
        END LOOP;
      END LOOP;
      IF r < 'Infinity' THEN
        RETURN least(2 * greatest(r, 0), 10);
      END IF;
    END IF;
    IF n >= 3 AND s <> 0 THEN
      -- More edges: shrink it. The inward normal of edge i is s * (-dy, dx); vertex i, between
      -- edges i-1 and i, moves at (n(i-1) + n(i)) / (1 + n(i-1)·n(i)),
      -- which keeps it at distance t from both lines.
      FOR i IN 1..n LOOP
        j := (i + n - 2) % n + 1;
        dot := dx[j] * dx[i] + dy[j] * dy[i];
        IF 1 + dot < 1e-12 THEN
          RETURN 0;  -- a spike folding back on itself: no width there
        END IF;
        qx[i] := x[i];
        qy[i] := y[i];
        vx[i] := s * (-dy[j] - dy[i]) / (1 + dot);
        vy[i] := s * (dx[j] + dx[i]) / (1 + dot);
      END LOOP;
      LOOP
        -- the edge that vanishes first: its length d·(q(i+1) - q(i)) shrinks
        -- at d·(b(i+1) - b(i)) (< 0 in a convex polygon)
        best := 'Infinity';
        bi := 0;
        FOR i IN 1..n LOOP
          j := i % n + 1;
          rate := dx[i] * (vx[j] - vx[i]) + dy[i] * (vy[j] - vy[i]);
          IF rate < 0 THEN
            tau := -(dx[i] * (qx[j] - qx[i]) + dy[i] * (qy[j] - qy[i])) / rate;
            IF tau < best THEN
              best := tau;
              bi := i;
            END IF;
          END IF;
        END LOOP;
        IF bi = 0 THEN
          EXIT;  -- nothing shrinks (cannot happen when convex): measure otherwise
        END IF;
        t := t + greatest(best, 0);
        IF n = 3 OR t >= 5 THEN
          RETURN least(2 * t, 10);
        END IF;
        FOR i IN 1..n LOOP
          qx[i] := qx[i] + greatest(best, 0) * vx[i];
          qy[i] := qy[i] + greatest(best, 0) * vy[i];
        END LOOP;
        -- edge bi drops out: its ends meet at their midpoint, the new vertex
        -- between edges bi-1 and bi+1 (it takes the place of vertex bi)
        j := bi % n + 1;
        k := (bi + n - 2) % n + 1;
        qx[bi] := (qx[bi] + qx[j]) / 2;
        qy[bi] := (qy[bi] + qy[j]) / 2;
        dot := dx[k] * dx[j] + dy[k] * dy[j];
        IF 1 + dot < 1e-12 THEN
          RETURN least(2 * t, 10);  -- the two sides left are parallel: collapsed to a segment
        END IF;
        vx[bi] := s * (-dy[k] - dy[j]) / (1 + dot);
        vy[bi] := s * (dx[k] + dx[j]) / (1 + dot);
        -- vertex bi+1 and edge bi go; the others move down one
        FOR i IN bi..n - 1 LOOP
          dx[i] := dx[i + 1];
          dy[i] := dy[i + 1];
          IF i > bi THEN
            qx[i] := qx[i + 1];
            qy[i] := qy[i + 1];
            vx[i] := vx[i + 1];
            vy[i] := vy[i + 1];
          END IF;
        END LOOP;
        IF bi = n THEN
          -- vertex 1 was the edge's end: the merged vertex becomes vertex 1
          qx[1] := qx[n];
          qy[1] := qy[n];
          vx[1] := vx[n];
          vy[1] := vy[n];
        END IF;
        n := n - 1;
      END LOOP;
    END IF;
  END IF;

  -- Holes, several parts, a reflex corner.
  IF NOT ST_IsEmpty(ST_Buffer(piece, -5.5, 'quad_segs=2')) THEN
    RETURN 10;  -- with 2 segments a quarter circle the erosion is at most 0.42 m short at 5.5 m
  END IF;
  -- GEOS 3.11's ST_MaximumInscribedCircle starts from a grid of squares
  -- the envelope's shorter side wide: for a seam along an axis (600 m by
  -- 1e-6 m) that is 6e8 of them, in a loop a cancel does not stop. Turned
  -- 45° such a seam has a square envelope, and any shape has an envelope
  -- less than 2.5 times as long as wide one way or the other. The radius
  -- does not depend on the turn.
  c := piece;
  FOR i IN 1..2 LOOP
    EXIT WHEN 8 * least(ST_XMax(c) - ST_XMin(c), ST_YMax(c) - ST_YMin(c)) >= greatest(ST_XMax(c) - ST_XMin(c), ST_YMax(c) - ST_YMin(c));
    c := CASE WHEN i = 1 THEN ST_Rotate(piece, pi() / 4, ST_Centroid(ST_Envelope(piece))) END;
  END LOOP;
  -- Whatever the shape, a disc that fits has at most its area.
  lo := 0;
  hi := least(11, 2 * sqrt(a / pi()) + 0.001);
  IF c IS NOT NULL THEN
    SELECT m.center, m.radius INTO ring, mid FROM ST_MaximumInscribedCircle(c) m;
    -- Its centre lies inside but for a shape thinner than its search's
    -- squares can hit (GEOS then reports the centroid's distance, outside).
    IF ST_Intersects(c, ring) THEN
      lo := 2 * mid;
      hi := least(hi, lo + 2 * greatest(ST_XMax(c) - ST_XMin(c), ST_YMax(c) - ST_YMin(c)) / 1000 + 0.001);
    END IF;
  END IF;
  IF lo >= 10 THEN
    RETURN 10;
  END IF;
  WHILE hi - lo > 0.005 AND lo < 10 LOOP
    mid := (lo + hi) / 2;
    IF ST_IsEmpty(ST_Buffer(piece, -mid / 2, 'quad_segs=16')) THEN
      hi := mid;
    ELSE
      lo := mid;
    END IF;
  END LOOP;
  RETURN least(lo, 10);
END $$;

-- The widths already kept were measured by 024's bisection: measure again
-- those below the cap (a kept 10 came from an exit this function keeps).
-- A parcel no zone touches is all outside the boundary, its width that of
-- its whole outline (what lq_planner_conflicts gives it, as the seed's
-- load uses); the others are measured by lq_planner_conflicts.
UPDATE parcel_conflicts c SET outside_boundary_width_m = lq_overlap_width(ST_Transform(p.geom, 4549))
  FROM parcels p
 WHERE p.id = c.parcel_id AND c.outside_boundary_width_m > 0 AND c.outside_boundary_width_m < 10
   AND c.farmland_m2 = 0 AND c.red_line_m2 = 0
   AND NOT EXISTS (SELECT 1 FROM protected_zones z WHERE z.geom && p.geom AND ST_Intersects(z.geom, p.geom));
SELECT lq_parcel_conflicts_remeasure(array(
  SELECT c.parcel_id FROM parcel_conflicts c JOIN parcels p ON p.id = c.parcel_id
   WHERE (c.farmland_width_m > 0 AND c.farmland_width_m < 10 OR c.red_line_width_m > 0 AND c.red_line_width_m < 10
          OR c.outside_boundary_width_m > 0 AND c.outside_boundary_width_m < 10)
     AND EXISTS (SELECT 1 FROM protected_zones z WHERE z.geom && p.geom AND ST_Intersects(z.geom, p.geom))));
