// Package importer moves geography in and out of landquota: it reads the
// files officials send (GeoJSON natively; Shapefile, GeoPackage, CSV with a
// WKT column and the other vector formats of GDAL through ogr2ogr), maps
// their attributes and old land-use codes onto the layers' fields, checks
// coordinates, and hands rows to a Store that stages, validates and writes
// them in one transaction; and it writes layers out as GeoJSON, CSV, XLSX,
// Shapefile or GeoPackage. It holds no SQL: planning/pgstore implements
// Store and ExportStore, which live with the fields, rows and queries they
// carry in planning/imports, so the store does not import this adapter.
//
// # Reading
//
// Open detects the format from the name and the first bytes. GeoJSON (a
// FeatureCollection, a lone Feature, newline-delimited or RFC 8142
// sequences) is read as a stream: memory holds a few features, whatever
// the file's size. Other formats are converted by ogr2ogr to GeoJSON on
// its standard output and read the same way; a Shapefile may be a .shp, a
// folder or a .zip of .shp/.shx/.dbf/.prj/.cpg. Without GDAL those formats
// are refused with the name of the package to install (gdal-bin).
//
// Coordinates: the CRS comes from --srid, else the file (.prj, GeoJSON
// crs member, GeoPackage), else EPSG:4490 is assumed. EPSG:4490 and 4326
// are taken as they are (PROJ treats them as the same); 4549 and 4528
// (CGCS2000 Gauss-Krüger CM 120E, with and without the zone number 40)
// are transformed by landquota; anything else GDAL knows is transformed by
// ogr2ogr, with a warning where PROJ has no exact parameters (Beijing 1954,
// Xian 1980). Every point is checked before it is used: metres given as
// degrees, degrees given as metres, the zone prefix missing or extra,
// swapped axes and places outside China are refused with the likely cause
// and the flag that fixes it (--srid, --swap-axes). Outer rings are wound
// counter-clockwise and holes clockwise, whatever the file did.
//
// Text: GeoJSON is UTF-8. A Shapefile's DBF is decoded by GDAL from its
// .cpg (or --encoding); without one GDAL passes the bytes through, and
// text that is not UTF-8 is decoded as GB18030 (a superset of GBK), with a
// warning saying how many values needed it.
//
// # Field maps and crosswalks
//
// Without a field map, source fields are matched case-insensitively
// against each field's usual names (DKBH, DLBM, 容积率, the Shapefile
// names of landquota's own exports ...); see Fields. A FieldMap (JSON, or
// --field/--default/--crosswalk flags) names source fields, gives defaults,
// chooses the land-use code list (2023, gbt21010 for 三调 DLBM, gb50137 for
// M1/R2...) and adds crosswalk entries. Codes without a mapping are
// reported with their code list, never guessed.
//
// # The validation report
//
// imports.Report (planning/imports, the use case's own package) says
// what was read (Source), what is wrong (Issues: severity, kind, the
// feature's position and key, the field and value, a message
// naming the fix, a location in lon/lat, the other side of an overlap or
// duplicate and the area), the counts, and the outcome: committed,
// refused (any error; nothing written), dry_run or failed. Issue kinds:
// invalid_geometry (with the self-intersection point), coordinates,
// bad_value, missing_value, unknown_code, unknown_reference,
// duplicate_code, exists (insert mode), overlap (within the file or with
// stored parcels, with ids and area), outside_districts,
// district_mismatch (warning), repaired (--repair), encoding, transform and
// gdal (warnings).
//
// # Writing
//
// Export streams GeoJSON (with a crs member) and CSV (UTF-8 with a byte
// order mark, WKT last) as the rows arrive; XLSX holds the attributes with
// Chinese titles; Shapefiles (zipped, field names of at most 10
// characters, a .prj of the CRS asked for and a .cpg: UTF-8, GB18030, or 936
// for GBK, refused where a value is outside GBK) and GeoPackages are made by
// ogr2ogr; a warning of GDAL's while writing refuses the export. Coordinates are written with
// every digit by default, so that an export imported again reproduces the
// same parcels.
package importer
