import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unzipSync, strFromU8 } from 'fflate';
import { toCSV, toXLSX } from './export.js';

test('CSV has a BOM, quotes what needs it and ends rows with CRLF', () => {
  assert.equal(toCSV(['编号', 'name'], [['a,b', 1.5], ['say "hi"', null]]), '\ufeff编号,name\r\n"a,b",1.5\r\n"say ""hi""",\r\n');
});

test('xlsx is a workbook whose sheet holds the rows, numbers as numbers', () => {
  const bytes = toXLSX('地块', ['编号', '面积'], [['330108-HT-000001', 12.5], ['<&>', 3]]);
  const files = unzipSync(bytes);
  assert.ok(files['[Content_Types].xml'] && files['xl/workbook.xml'] && files['xl/styles.xml']);
  const sheet = strFromU8(files['xl/worksheets/sheet1.xml']);
  assert.match(sheet, /<c r="B2"><v>12.5<\/v><\/c>/);
  assert.match(sheet, /<c r="A1" t="inlineStr" s="1"><is><t xml:space="preserve">编号<\/t>/);
  assert.match(sheet, /&lt;&amp;&gt;/);
  assert.match(strFromU8(files['xl/workbook.xml']), /name="地块"/);
});
