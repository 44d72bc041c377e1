// Step 2: what to change. The same property on every selected campaign (a value, or "" to reset
// it), or a CSV of id,property,value rows. Everything is checked here, with the gateway's rules,
// before anything is sent.
import { useEffect, useId, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { planFromCsv } from './csv';
import { sameChangeFor, type UpdateInput } from './inputs';
import { MAX_CSV_FILE_BYTES, type EditorLimits } from './limits';
import { checkPropertyName } from './rules';

/** Writable properties of HubSpot's campaigns, offered as suggestions (any name may be typed). */
const KNOWN_PROPERTIES = [
  'hs_notes',
  'hs_goal',
  'hs_audience',
  'hs_utm',
  'hs_campaign_status',
  'hs_start_date',
  'hs_end_date',
  'hs_currency_code',
  'hs_color_hex',
  'hs_owner',
  'hs_name',
];

interface Props {
  selectedIds: readonly string[];
  limits: EditorLimits;
  busy: boolean;
  onSubmit(inputs: UpdateInput[], what: string): void;
}

export function ChangeForm({ selectedIds, limits, busy, onSubmit }: Props) {
  const [mode, setMode] = useState<'same' | 'csv'>('same');
  const id = useId();
  return (
    <section aria-labelledby="change-heading" className="panel">
      <h2 id="change-heading">2. Change</h2>
      <fieldset className="row">
        <legend>What to send</legend>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === 'same'}
            onChange={() => setMode('same')}
          />
          One property on the selected campaigns
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === 'csv'}
            onChange={() => setMode('csv')}
          />
          A CSV of id,property,value rows
        </label>
      </fieldset>
      {mode === 'same' ? (
        <SameChange selectedIds={selectedIds} limits={limits} busy={busy} onSubmit={onSubmit} />
      ) : (
        <CsvChange limits={limits} busy={busy} onSubmit={onSubmit} />
      )}
    </section>
  );
}

function SameChange({ selectedIds, limits, busy, onSubmit }: Props) {
  const [property, setProperty] = useState('hs_notes');
  const [value, setValue] = useState('');
  const [reset, setReset] = useState(false);
  const nameProblem = property === '' ? 'name a property' : checkPropertyName(property);
  const valueProblem = reset
    ? undefined
    : value === ''
      ? // An empty value resets the property in HubSpot: only when asked for, never by default.
        'type a value, or tick "Reset the property" to clear it'
      : value.length > limits.maxPropertyValueLength
        ? `at most ${limits.maxPropertyValueLength} characters (MAX_PROPERTY_VALUE_LENGTH)`
        : undefined;
  const count = selectedIds.length;
  const tooMany = count > limits.maxCampaignsPerJob;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (nameProblem || valueProblem || count === 0 || tooMany) return;
    const change = { name: property, value: reset ? '' : value };
    onSubmit(
      sameChangeFor(selectedIds, change),
      reset ? `reset ${property} on ${count}` : `set ${property} on ${count}`,
    );
  };

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="field">
        <label htmlFor="change-property">Property</label>
        <input
          id="change-property"
          list="known-properties"
          value={property}
          onChange={(e) => setProperty(e.target.value)}
          aria-invalid={Boolean(nameProblem)}
          aria-describedby={nameProblem ? 'change-property-problem' : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="known-properties">
          {KNOWN_PROPERTIES.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        {nameProblem && (
          <p id="change-property-problem" className="error">
            {nameProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="change-value">Value</label>
        <textarea
          id="change-value"
          rows={3}
          value={reset ? '' : value}
          disabled={reset}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={Boolean(valueProblem)}
          aria-describedby={valueProblem ? 'change-value-problem' : undefined}
        />
        {valueProblem && (
          <p id="change-value-problem" className="error">
            {valueProblem}
          </p>
        )}
      </div>
      <label className="inline">
        <input type="checkbox" checked={reset} onChange={(e) => setReset(e.target.checked)} />
        Reset the property instead (send an empty value)
      </label>
      {tooMany && (
        <p id="change-too-many" className="error">
          One job takes at most {limits.maxCampaignsPerJob} campaigns: select fewer.
        </p>
      )}
      <div>
        <button
          type="submit"
          className="primary"
          disabled={busy || count === 0 || tooMany || Boolean(nameProblem || valueProblem)}
          aria-describedby={
            [
              tooMany && 'change-too-many',
              nameProblem && 'change-property-problem',
              valueProblem && 'change-value-problem',
            ]
              .filter(Boolean)
              .join(' ') || undefined
          }
        >
          {reset ? 'Reset' : 'Set'} {property || 'property'} on {count} campaign
          {count === 1 ? '' : 's'}
        </button>
      </div>
    </form>
  );
}

/** How long typing in the CSV box pauses before the rows are checked again. */
const CSV_CHECK_DELAY_MS = 300;

function CsvChange({ limits, busy, onSubmit }: Omit<Props, 'selectedIds'>) {
  const [text, setText] = useState('');
  /** The text last checked: a file as soon as it is read, typing once it pauses. */
  const [checked, setChecked] = useState('');
  const [fileError, setFileError] = useState<string>();
  useEffect(() => {
    if (text === checked) return;
    const timer = setTimeout(() => setChecked(text), CSV_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, checked]);
  const plan = useMemo(
    () => (checked.trim() ? planFromCsv(checked, limits) : undefined),
    [checked, limits],
  );
  const pending = text !== checked;

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileError(undefined);
    if (file.size > MAX_CSV_FILE_BYTES) {
      setFileError(
        `${file.name} is ${file.size} bytes, more than the ${MAX_CSV_FILE_BYTES} bytes the page reads: split it`,
      );
      return;
    }
    try {
      const content = await file.text();
      setText(content);
      setChecked(content);
    } catch (error) {
      setFileError(`could not read ${file.name}: ${String(error)}`);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending || !plan || plan.problems.length > 0) return;
    onSubmit(plan.inputs, `${plan.changes} changes from the CSV on ${plan.inputs.length}`);
  };

  const ok = !pending && plan && plan.problems.length === 0;
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="field">
        <label htmlFor="csv-text">CSV rows: id,property,value (a header row is optional)</label>
        <textarea
          id="csv-text"
          rows={8}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-describedby="csv-summary"
          placeholder={'id,property,value\n04d2d0d3-…,hs_notes,Q3 push\n90ff7d9c-…,hs_goal,'}
        />
      </div>
      <div className="field">
        <label htmlFor="csv-file">Or upload a CSV file</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(e) => void upload(e)} />
        {fileError && (
          <p className="error" role="alert">
            {fileError}
          </p>
        )}
      </div>
      <p id="csv-summary" aria-live="polite">
        {!plan
          ? 'Paste or upload rows; they are checked before anything is sent.'
          : ok
            ? `${plan.changes} change${plan.changes === 1 ? '' : 's'} (${plan.resets} reset${plan.resets === 1 ? '' : 's'}) on ${plan.inputs.length} campaign${plan.inputs.length === 1 ? '' : 's'}: ready to send.`
            : `${plan.problems.length} row problem${plan.problems.length === 1 ? '' : 's'}: fix ${plan.problems.length === 1 ? 'it' : 'them'} before sending.`}
      </p>
      {plan && plan.problems.length > 0 && (
        <table aria-label="CSV problems" className="problems">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {plan.problems.slice(0, 200).map((problem, i) => (
              <tr key={i}>
                <td>{problem.row}</td>
                <td>{problem.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div>
        <button type="submit" className="primary" disabled={busy || !ok}>
          Send the CSV as a job
        </button>
      </div>
    </form>
  );
}
