-- 002_land_use_classes.sql
--
-- Seed data for land_use_classes (table created in 001).
--
-- Source: 《国土空间调查、规划、用途管制用地用海分类指南》, Ministry of Natural Resources,
--         2023 edition (自然资发〔2023〕234号), table of 用地用海分类 codes.
--
-- What the table is for: the code list that every parcel, plan zoning and quota project points
-- at (land_use_classes.code). It holds the three levels of the guide: level 1 = 2-digit code
-- ('10' 工矿用地), level 2 = 4-digit code ('1001' 工业用地), level 3 = 6-digit code
-- ('100101' 一类工业用地). parent_code links each class to the class one level up; level-1
-- classes have no parent. Older code lists (GB/T 21010-2017 三调, GB 50137-2011 M1/M2/R2...)
-- are NOT stored here; they are mapped onto these codes by separate crosswalk tables.
--
-- The construction flag (建设用地):
--   construction = true  for first-level classes 07 居住用地, 08 公共管理与公共服务用地,
--                        09 商业服务业用地, 10 工矿用地, 11 仓储用地, 12 交通运输用地,
--                        13 公用设施用地, 14 绿地与开敞空间用地, 15 特殊用地, 16 留白用地,
--                        and every second- and third-level class below them
--                        (e.g. 1207 城镇村道路用地, 1003 盐田 and 1002 采矿用地 included).
--   construction = false for 01 耕地 ... 05 湿地, 06 农业设施建设用地, 17 陆地水域, 23 其他土地
--                        and all their children. Despite its name, 06 (0601 农村道路,
--                        0602 设施农用地 and their children) belongs to 农用地 in the 三大类
--                        grouping (农用地 / 建设用地 / 未利用地) that quota accounting uses,
--                        so it and all its children are false.
--   construction = false for the sea classes 18-22 and 24 (用海, not land).
--   Rule of thumb: a child always carries its first-level class's flag; the flag is never
--   set per child. Whether using a class consumes new construction-land quota is decided
--   elsewhere (it depends on the parcel's current use, not only on its class).
--
-- Left out on purpose (name not confirmed well enough; add in a later migration once checked
-- against the published text of the guide):
--   * 2005 (the "other" second-level class of 20 交通运输用海): sources disagree between
--     '其他交通运输用海' and '其他用海'.
--   * Any third-level classes of the guide other than those below (the rows here cover the
--     third-level classes of 06, 07, 08, 09, 10, 11 and 12 that could be confirmed:
--     060101-060102, 060201-060203, 070101-070103, 070301-070302, 080301-080302,
--     080401-080405, 080501-080502, 080601-080603, 080701-080704, 090101-090105,
--     100101-100103, 110101-110103, 120801-120803). No third-level classes are included
--     for 01-05, 13-24.
-- There is no class 0603: 06 has only the second-level classes 0601 and 0602.
-- 16 留白用地 and 24 其他海域 have no subclasses.
--
-- English names are short working translations, not official ones.
-- No BEGIN/COMMIT: the migration tool wraps this file in a transaction.

-- ---------------------------------------------------------------- 01 耕地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('01',   NULL, 1, '耕地',   'Cultivated land', false),
  ('0101', '01', 2, '水田',   'Paddy field',     false),
  ('0102', '01', 2, '水浇地', 'Irrigated land',  false),
  ('0103', '01', 2, '旱地',   'Dry land',        false);

-- ---------------------------------------------------------------- 02 园地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('02',   NULL, 1, '园地',     'Garden land',              false),
  ('0201', '02', 2, '果园',     'Orchard',                  false),
  ('0202', '02', 2, '茶园',     'Tea garden',               false),
  ('0203', '02', 2, '橡胶园地', 'Rubber plantation',        false),
  ('0204', '02', 2, '油料园地', 'Woody oil-crop plantation', false),
  ('0205', '02', 2, '其他园地', 'Other garden land',        false);

-- ---------------------------------------------------------------- 03 林地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('03',   NULL, 1, '林地',     'Forest land',        false),
  ('0301', '03', 2, '乔木林地', 'Arbor forest land',  false),
  ('0302', '03', 2, '竹林地',   'Bamboo forest land', false),
  ('0303', '03', 2, '灌木林地', 'Shrub land',         false),
  ('0304', '03', 2, '其他林地', 'Other forest land',  false);

-- ---------------------------------------------------------------- 04 草地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('04',   NULL, 1, '草地',       'Grassland',         false),
  ('0401', '04', 2, '天然牧草地', 'Natural pasture',    false),
  ('0402', '04', 2, '人工牧草地', 'Artificial pasture', false),
  ('0403', '04', 2, '其他草地',   'Other grassland',    false);

-- ---------------------------------------------------------------- 05 湿地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('05',   NULL, 1, '湿地',       'Wetland',            false),
  ('0501', '05', 2, '森林沼泽',   'Forest swamp',       false),
  ('0502', '05', 2, '灌丛沼泽',   'Shrub swamp',        false),
  ('0503', '05', 2, '沼泽草地',   'Marsh grassland',    false),
  ('0504', '05', 2, '其他沼泽地', 'Other marshland',    false),
  ('0505', '05', 2, '沿海滩涂',   'Coastal tidal flat', false),
  ('0506', '05', 2, '内陆滩涂',   'Inland mudflat',     false),
  ('0507', '05', 2, '红树林地',   'Mangrove land',      false);

-- ---------------------------------------------------------------- 06 农业设施建设用地
-- false by this project's rule (see header), children included.
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('06',     NULL,   1, '农业设施建设用地',     'Agricultural facility construction land', false),
  ('0601',   '06',   2, '农村道路',             'Rural road',                              false),
  ('060101', '0601', 3, '村道用地',             'Village road land',                       false),
  ('060102', '0601', 3, '田间道',               'Field road',                              false),
  ('0602',   '06',   2, '设施农用地',           'Facility agricultural land',              false),
  ('060201', '0602', 3, '种植设施建设用地',     'Crop facility land',                      false),
  ('060202', '0602', 3, '畜禽养殖设施建设用地', 'Livestock and poultry facility land',     false),
  ('060203', '0602', 3, '水产养殖设施建设用地', 'Aquaculture facility land',               false);

-- ---------------------------------------------------------------- 07 居住用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('07',     NULL,   1, '居住用地',               'Residential land',                       true),
  ('0701',   '07',   2, '城镇住宅用地',           'Urban residential land',                 true),
  ('070101', '0701', 3, '一类城镇住宅用地',       'Class-I urban residential land',         true),
  ('070102', '0701', 3, '二类城镇住宅用地',       'Class-II urban residential land',        true),
  ('070103', '0701', 3, '三类城镇住宅用地',       'Class-III urban residential land',       true),
  ('0702',   '07',   2, '城镇社区服务设施用地',   'Urban community service facility land',  true),
  ('0703',   '07',   2, '农村宅基地',             'Rural homestead land',                   true),
  ('070301', '0703', 3, '一类农村宅基地',         'Class-I rural homestead land',           true),
  ('070302', '0703', 3, '二类农村宅基地',         'Class-II rural homestead land',          true),
  ('0704',   '07',   2, '农村社区服务设施用地',   'Rural community service facility land',  true);

-- ---------------------------------------------------------------- 08 公共管理与公共服务用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('08',     NULL,   1, '公共管理与公共服务用地', 'Public administration and public service land', true),
  ('0801',   '08',   2, '机关团体用地',           'Government and public organisation land',       true),
  ('0802',   '08',   2, '科研用地',               'Scientific research land',                      true),
  ('0803',   '08',   2, '文化用地',               'Cultural land',                                 true),
  ('080301', '0803', 3, '图书与展览用地',         'Library and exhibition land',                   true),
  ('080302', '0803', 3, '文化活动用地',           'Cultural activity land',                        true),
  ('0804',   '08',   2, '教育用地',               'Educational land',                              true),
  ('080401', '0804', 3, '高等教育用地',           'Higher education land',                         true),
  ('080402', '0804', 3, '中等职业教育用地',       'Secondary vocational education land',           true),
  ('080403', '0804', 3, '中小学用地',             'Primary and secondary school land',             true),
  ('080404', '0804', 3, '幼儿园用地',             'Kindergarten land',                             true),
  ('080405', '0804', 3, '其他教育用地',           'Other educational land',                        true),
  ('0805',   '08',   2, '体育用地',               'Sports land',                                   true),
  ('080501', '0805', 3, '体育场馆用地',           'Stadium and sports hall land',                  true),
  ('080502', '0805', 3, '体育训练用地',           'Sports training land',                          true),
  ('0806',   '08',   2, '医疗卫生用地',           'Medical and health land',                       true),
  ('080601', '0806', 3, '医院用地',               'Hospital land',                                 true),
  ('080602', '0806', 3, '基层医疗卫生设施用地',   'Primary health care facility land',             true),
  ('080603', '0806', 3, '公共卫生用地',           'Public health land',                            true),
  ('0807',   '08',   2, '社会福利用地',           'Social welfare land',                           true),
  ('080701', '0807', 3, '老年人社会福利用地',     'Elderly welfare land',                          true),
  ('080702', '0807', 3, '儿童社会福利用地',       'Child welfare land',                            true),
  ('080703', '0807', 3, '残疾人社会福利用地',     'Disability welfare land',                       true),
  ('080704', '0807', 3, '其他社会福利用地',       'Other social welfare land',                     true);

-- ---------------------------------------------------------------- 09 商业服务业用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('09',     NULL,   1, '商业服务业用地',         'Commercial and business service land', true),
  ('0901',   '09',   2, '商业用地',               'Commercial land',                      true),
  ('090101', '0901', 3, '零售商业用地',           'Retail land',                          true),
  ('090102', '0901', 3, '批发市场用地',           'Wholesale market land',                true),
  ('090103', '0901', 3, '餐饮用地',               'Catering land',                        true),
  ('090104', '0901', 3, '旅馆用地',               'Hotel land',                           true),
  ('090105', '0901', 3, '公用设施营业网点用地',   'Utility service outlet land',          true),
  ('0902',   '09',   2, '商务金融用地',           'Business and finance land',            true),
  ('0903',   '09',   2, '娱乐用地',               'Entertainment land',                   true),
  ('0904',   '09',   2, '其他商业服务业用地',     'Other commercial service land',        true);

-- ---------------------------------------------------------------- 10 工矿用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('10',     NULL,   1, '工矿用地',     'Industrial and mining land',      true),
  ('1001',   '10',   2, '工业用地',     'Industrial land',                 true),
  ('100101', '1001', 3, '一类工业用地', 'Class-I industrial land (M1)',    true),
  ('100102', '1001', 3, '二类工业用地', 'Class-II industrial land (M2)',   true),
  ('100103', '1001', 3, '三类工业用地', 'Class-III industrial land (M3)',  true),
  ('1002',   '10',   2, '采矿用地',     'Mining land',                     true),
  ('1003',   '10',   2, '盐田',         'Salt pan',                        true);

-- ---------------------------------------------------------------- 11 仓储用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('11',     NULL,   1, '仓储用地',         'Warehousing land',                              true),
  ('1101',   '11',   2, '物流仓储用地',     'Logistics and warehousing land',                true),
  ('110101', '1101', 3, '一类物流仓储用地', 'Class-I logistics and warehousing land (W1)',   true),
  ('110102', '1101', 3, '二类物流仓储用地', 'Class-II logistics and warehousing land (W2)',  true),
  ('110103', '1101', 3, '三类物流仓储用地', 'Class-III logistics and warehousing land (W3)', true),
  ('1102',   '11',   2, '储备库用地',       'Reserve depot land',                            true);

-- ---------------------------------------------------------------- 12 交通运输用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('12',     NULL,   1, '交通运输用地',     'Transportation land',               true),
  ('1201',   '12',   2, '铁路用地',         'Railway land',                      true),
  ('1202',   '12',   2, '公路用地',         'Highway land',                      true),
  ('1203',   '12',   2, '机场用地',         'Airport land',                      true),
  ('1204',   '12',   2, '港口码头用地',     'Port and wharf land',               true),
  ('1205',   '12',   2, '管道运输用地',     'Pipeline transport land',           true),
  ('1206',   '12',   2, '城市轨道交通用地', 'Urban rail transit land',           true),
  ('1207',   '12',   2, '城镇村道路用地',   'Urban and village road land',       true),
  ('1208',   '12',   2, '交通场站用地',     'Transport station land',            true),
  ('120801', '1208', 3, '对外交通场站用地', 'Intercity transport station land',  true),
  ('120802', '1208', 3, '公共交通场站用地', 'Public transit station land',       true),
  ('120803', '1208', 3, '社会停车场用地',   'Public parking land',               true),
  ('1209',   '12',   2, '其他交通设施用地', 'Other transport facility land',     true);

-- ---------------------------------------------------------------- 13 公用设施用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('13',   NULL, 1, '公用设施用地',     'Public utility land',                  true),
  ('1301', '13', 2, '供水用地',         'Water supply land',                    true),
  ('1302', '13', 2, '排水用地',         'Drainage land',                        true),
  ('1303', '13', 2, '供电用地',         'Power supply land',                    true),
  ('1304', '13', 2, '供燃气用地',       'Gas supply land',                      true),
  ('1305', '13', 2, '供热用地',         'Heat supply land',                     true),
  ('1306', '13', 2, '通信用地',         'Telecommunications land',              true),
  ('1307', '13', 2, '邮政用地',         'Postal land',                          true),
  ('1308', '13', 2, '广播电视设施用地', 'Radio and television facility land',   true),
  ('1309', '13', 2, '环卫用地',         'Sanitation land',                      true),
  ('1310', '13', 2, '消防用地',         'Fire station land',                    true),
  ('1311', '13', 2, '水工设施用地',     'Hydraulic facility land',              true),
  ('1312', '13', 2, '其他公用设施用地', 'Other public utility land',            true);

-- ---------------------------------------------------------------- 14 绿地与开敞空间用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('14',   NULL, 1, '绿地与开敞空间用地', 'Green space and open space land', true),
  ('1401', '14', 2, '公园绿地',           'Park green space',                true),
  ('1402', '14', 2, '防护绿地',           'Protective green space',          true),
  ('1403', '14', 2, '广场用地',           'Public square land',              true);

-- ---------------------------------------------------------------- 15 特殊用地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('15',   NULL, 1, '特殊用地',     'Special-use land',                 true),
  ('1501', '15', 2, '军事设施用地', 'Military facility land',           true),
  ('1502', '15', 2, '使领馆用地',   'Embassy and consulate land',       true),
  ('1503', '15', 2, '宗教用地',     'Religious land',                   true),
  ('1504', '15', 2, '文物古迹用地', 'Cultural heritage site land',      true),
  ('1505', '15', 2, '监教场所用地', 'Correctional facility land',       true),
  ('1506', '15', 2, '殡葬用地',     'Funeral and burial land',          true),
  ('1507', '15', 2, '其他特殊用地', 'Other special-use land',           true);

-- ---------------------------------------------------------------- 16 留白用地 (no subclasses)
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('16', NULL, 1, '留白用地', 'Reserved (unassigned) land', true);

-- ---------------------------------------------------------------- 17 陆地水域
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('17',   NULL, 1, '陆地水域',       'Inland water',                  false),
  ('1701', '17', 2, '河流水面',       'River surface',                 false),
  ('1702', '17', 2, '湖泊水面',       'Lake surface',                  false),
  ('1703', '17', 2, '水库水面',       'Reservoir surface',             false),
  ('1704', '17', 2, '坑塘水面',       'Pond surface',                  false),
  ('1705', '17', 2, '沟渠',           'Ditch and canal',               false),
  ('1706', '17', 2, '冰川及常年积雪', 'Glacier and perennial snow',    false);

-- ---------------------------------------------------------------- 18-22, 24: sea use (用海)
-- Not land, so construction = false. 2005 left out (see header).
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('18',   NULL, 1, '渔业用海',         'Fishery sea use',                        false),
  ('1801', '18', 2, '渔业基础设施用海', 'Fishery infrastructure sea use',         false),
  ('1802', '18', 2, '增养殖用海',       'Aquaculture and stock enhancement sea use', false),
  ('1803', '18', 2, '捕捞海域',         'Fishing sea area',                       false),
  ('1804', '18', 2, '农林牧业用岛',     'Island for farming, forestry and grazing', false);

INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('19',   NULL, 1, '工矿通信用海',     'Industrial, mining and communication sea use', false),
  ('1901', '19', 2, '工业用海',         'Industrial sea use',                 false),
  ('1902', '19', 2, '盐田用海',         'Salt pan sea use',                   false),
  ('1903', '19', 2, '固体矿产用海',     'Solid mineral sea use',              false),
  ('1904', '19', 2, '油气用海',         'Oil and gas sea use',                false),
  ('1905', '19', 2, '可再生能源用海',   'Renewable energy sea use',           false),
  ('1906', '19', 2, '海底电缆管道用海', 'Submarine cable and pipeline sea use', false);

INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('20',   NULL, 1, '交通运输用海', 'Transportation sea use',        false),
  ('2001', '20', 2, '港口用海',     'Port sea use',                  false),
  ('2002', '20', 2, '航运用海',     'Shipping sea use',              false),
  ('2003', '20', 2, '路桥隧道用海', 'Road, bridge and tunnel sea use', false),
  ('2004', '20', 2, '机场用海',     'Airport sea use',               false);

INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('21',   NULL, 1, '游憩用海',         'Recreational sea use',               false),
  ('2101', '21', 2, '风景旅游用海',     'Scenic tourism sea use',             false),
  ('2102', '21', 2, '文体休闲娱乐用海', 'Culture, sports and leisure sea use', false);

INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('22',   NULL, 1, '特殊用海',                       'Special sea use',                                   false),
  ('2201', '22', 2, '军事用海',                       'Military sea use',                                  false),
  ('2202', '22', 2, '科研教育用海',                   'Research and education sea use',                    false),
  ('2203', '22', 2, '海洋保护修复及海岸防护工程用海', 'Marine protection, restoration and coastal defence sea use', false),
  ('2204', '22', 2, '排污倾倒用海',                   'Sewage discharge and dumping sea use',              false),
  ('2205', '22', 2, '水下文物保护用海',               'Underwater cultural heritage protection sea use',    false),
  ('2206', '22', 2, '其他特殊用海',                   'Other special sea use',                             false);

-- ---------------------------------------------------------------- 23 其他土地
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('23',   NULL, 1, '其他土地',   'Other land',               false),
  ('2301', '23', 2, '空闲地',     'Vacant land',              false),
  ('2302', '23', 2, '后备耕地',   'Reserve cultivated land',  false),
  ('2303', '23', 2, '田坎',       'Field ridge',              false),
  ('2304', '23', 2, '盐碱地',     'Saline-alkali land',       false),
  ('2305', '23', 2, '沙地',       'Sandy land',               false),
  ('2306', '23', 2, '裸土地',     'Bare soil land',           false),
  ('2307', '23', 2, '裸岩石砾地', 'Bare rock and gravel land', false);

-- ---------------------------------------------------------------- 24 其他海域 (no subclasses)
INSERT INTO land_use_classes (code, parent_code, level, name_zh, name_en, construction) VALUES
  ('24', NULL, 1, '其他海域', 'Other sea area', false);
