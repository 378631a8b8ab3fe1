import { describe, expect, it } from 'vitest'
import { formatBytes, parseCsv, prettyJson, previewKind } from './artifactPreview'

describe('previewKind', () => {
  it('picks a viewer by extension, case-insensitively', () => {
    expect(previewKind('model_summary.txt')).toBe('text')
    expect(previewKind('logs/train.LOG')).toBe('text')
    expect(previewKind('confusion_matrix.json')).toBe('json')
    expect(previewKind('conf/params.yml')).toBe('yaml')
    expect(previewKind('data/sample.csv')).toBe('csv')
    expect(previewKind('data/sample.tsv')).toBe('tsv')
    expect(previewKind('training_curves.png')).toBe('image')
    expect(previewKind('plot.SVG')).toBe('image')
  })

  it('knows MLflow files without an extension', () => {
    expect(previewKind('model/MLmodel')).toBe('yaml')
  })

  it('offers no preview for binaries and unknown files', () => {
    expect(previewKind('model/model.safetensors')).toBe('none')
    expect(previewKind('weights.bin')).toBe('none')
    expect(previewKind('Makefile')).toBe('none')
    expect(previewKind('.hidden')).toBe('none')
  })
})

describe('prettyJson', () => {
  it('indents valid JSON and rejects invalid text', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}')
    expect(prettyJson('{oops')).toBeNull()
  })
})

describe('parseCsv', () => {
  it('splits rows and fields', () => {
    expect(parseCsv('a,b\n1,2\n', 10)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('handles quotes, escaped quotes, embedded delimiters and newlines, and CRLF', () => {
    expect(parseCsv('name,note\r\n"x, y","say ""hi""\nthere"\r\nz,', 10)).toEqual([
      ['name', 'note'],
      ['x, y', 'say "hi"\nthere'],
      ['z', ''],
    ])
  })

  it('stops after maxRows', () => {
    expect(parseCsv('1\n2\n3\n4\n', 2)).toEqual([['1'], ['2']])
  })

  it('drops the cut-off last record of a partial read', () => {
    expect(parseCsv('a,b\n1,2\n3,', 10, ',', true)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('reads tab-separated values', () => {
    expect(parseCsv('a\tb\n1\t2', 10, '\t')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })
})

describe('formatBytes', () => {
  it('picks binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB')
    expect(formatBytes(undefined)).toBe('')
  })
})
