// The run's tags: add, edit a value, delete (runs/set-tag, runs/delete-tag). MLflow's
// system tags (`mlflow.*`) are hidden by default; they are set by clients, not people.

import { useState, type FormEvent } from 'react'
import { deleteTag, setTag } from '../../api/client'
import type { Tag } from '../../models'

export interface TagsEditorProps {
  runId: string
  tags: readonly Tag[]
  /** Called with the new tag list after the server accepted a change. */
  onChange: (tags: Tag[]) => void
}

const isSystemTag = (key: string) => key.startsWith('mlflow.')

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

export function TagsEditor({ runId, tags, onChange }: TagsEditorProps) {
  const [showSystem, setShowSystem] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const systemCount = tags.filter((t) => isSystemTag(t.key)).length
  const shown = tags
    .filter((t) => showSystem || !isSystemTag(t.key))
    .sort((a, b) => a.key.localeCompare(b.key))

  const save = async (key: string, value: string) => {
    setError(null)
    try {
      await setTag(runId, key, value)
      onChange([...tags.filter((t) => t.key !== key), { key, value }])
      return true
    } catch (e) {
      setError(errorText(e))
      return false
    }
  }

  const remove = async (key: string) => {
    if (!window.confirm(`Delete tag "${key}"?`)) return
    setError(null)
    try {
      await deleteTag(runId, key)
      onChange(tags.filter((t) => t.key !== key))
    } catch (e) {
      setError(errorText(e))
    }
  }

  return (
    <div className="tags-editor">
      <table className="run-table tags-table">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Value</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <TagRow key={t.key} tag={t} onSave={save} onDelete={remove} />
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No tags.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {systemCount > 0 && (
        <label className="tags-system-toggle">
          <input type="checkbox" checked={showSystem} onChange={(e) => setShowSystem(e.target.checked)} /> Show{' '}
          {systemCount} system tags (mlflow.*)
        </label>
      )}
      <AddTagForm existing={tags} onAdd={save} />
      {error && <p className="error">{error}</p>}
    </div>
  )
}

interface TagRowProps {
  tag: Tag
  onSave: (key: string, value: string) => Promise<boolean>
  onDelete: (key: string) => void
}

function TagRow({ tag, onSave, onDelete }: TagRowProps) {
  const [draft, setDraft] = useState<string | null>(null)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (draft !== null && (await onSave(tag.key, draft))) setDraft(null)
  }
  return (
    <tr>
      <td className="key-cell">{tag.key}</td>
      <td className="value-cell">
        {draft === null ? (
          tag.value
        ) : (
          <form className="tag-edit" onSubmit={submit}>
            <textarea
              aria-label={`Value of ${tag.key}`}
              value={draft}
              autoFocus
              rows={Math.min(6, draft.split('\n').length)}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
            />
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </form>
        )}
      </td>
      <td className="actions-cell">
        {draft === null && (
          <>
            <button type="button" onClick={() => setDraft(tag.value)} aria-label={`Edit tag ${tag.key}`}>
              Edit
            </button>{' '}
            <button type="button" onClick={() => onDelete(tag.key)} aria-label={`Delete tag ${tag.key}`}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  )
}

function AddTagForm({ existing, onAdd }: { existing: readonly Tag[]; onAdd: TagRowProps['onSave'] }) {
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const trimmed = key.trim()
  const exists = existing.some((t) => t.key === trimmed)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!trimmed) return
    if (await onAdd(trimmed, value)) {
      setKey('')
      setValue('')
    }
  }
  return (
    <form className="tag-add" onSubmit={submit}>
      <input aria-label="New tag key" placeholder="Key" value={key} onChange={(e) => setKey(e.target.value)} />
      <input aria-label="New tag value" placeholder="Value" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="primary" disabled={!trimmed}>
        {exists ? 'Update tag' : 'Add tag'}
      </button>
    </form>
  )
}
