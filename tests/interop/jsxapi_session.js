#!/usr/bin/env node
/*
 * Drive Cisco's jsxapi (unchanged, from ./node_modules) against an XoWS endpoint and print
 * one JSON object describing what a jsxapi user would have seen.
 *
 * Why a script rather than assertions in JS: the pytest side owns every expectation (it
 * knows the device's values from its own independent connection), so this file only
 * records outcomes. Each step is recorded separately ({ok, value} or {ok:false, error}) so
 * one incompatibility does not hide the others.
 *
 * usage: node jsxapi_session.js session|probe|badauth URL USER PASSWORD [JSON-ARGS]
 *   session  JSON-ARGS = {"level": int, "badLevel": int, "defaultVolume": int, "number": str}
 *   probe    connect and read Status Audio Volume (e.g. over wss:// with a self-signed cert)
 *   badauth  connect only; report how the connection failed
 */
'use strict';

const path = require('path');

const STEP_TIMEOUT_MS = 5000;

let jsxapi;
try {
  jsxapi = require(path.join(__dirname, 'node_modules', 'jsxapi'));
} catch (err) {
  process.stdout.write(JSON.stringify({ fatal: `jsxapi not installed: ${err.message}` }) + '\n');
  process.exit(3);
}

/** Reject after `ms` so a missing reply shows up as a named step failure, not a hang. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** jsxapi rejects with the raw JSON-RPC error object, or with an Error; keep both readable. */
function describeError(err) {
  if (err instanceof Error) {
    const out = { name: err.name, message: err.message };
    if (err.code !== undefined) out.code = err.code;
    if (err.data !== undefined) out.data = err.data;
    return out;
  }
  if (err && typeof err === 'object') return err;
  return { message: String(err) };
}

/** A promise resolved by the first listener call whose value satisfies `accept`. */
function waiter(accept) {
  let resolve;
  const seen = [];
  const promise = new Promise((r) => { resolve = r; });
  const listener = (value) => {
    seen.push(value);
    if (accept(value)) resolve(value);
  };
  return { promise, listener, seen };
}

/** Connect and wait for jsxapi's 'ready' or its first 'error'. */
function connect(url, username, password) {
  const xapi = jsxapi.connect(url, { username, password });
  const errors = [];
  xapi.on('error', (err) => { errors.push(describeError(err)); });
  const ready = new Promise((resolve, reject) => {
    xapi.on('ready', () => resolve(xapi));
    xapi.on('error', (err) => reject(err));
  });
  return { xapi, errors, ready: withTimeout(ready, STEP_TIMEOUT_MS, "jsxapi 'ready'") };
}

/** Connect, recording the outcome as report.connect; xapi is null when it failed. */
async function open(report, url, user, password) {
  const { xapi, errors, ready } = connect(url, user, password);
  try {
    await ready;
    report.connect = { ok: true };
    return { xapi, errors };
  } catch (err) {
    report.connect = { ok: false, error: describeError(err) };
    return { xapi: null, errors };
  }
}

async function step(report, name, fn) {
  try {
    report[name] = { ok: true, value: await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT_MS, name) };
  } catch (err) {
    report[name] = { ok: false, error: describeError(err) };
  }
}

async function session(url, user, password, args) {
  const report = {};
  const { xapi, errors } = await open(report, url, user, password);
  if (!xapi) return report;

  await step(report, 'status_get', () => xapi.status.get('Audio Volume'));
  await step(report, 'proxy_status_get', () => xapi.Status.Audio.Volume.get());
  await step(report, 'config_set', () => xapi.config.set('Audio DefaultVolume', args.defaultVolume));
  await step(report, 'config_get', () => xapi.config.get('Audio DefaultVolume'));

  await step(report, 'status_feedback', async () => {
    const w = waiter((v) => v === args.level);
    const off = xapi.status.on('Audio Volume', w.listener);
    const registration = await off.registration;
    const command = await xapi.command('Audio Volume Set', { Level: args.level });
    try {
      const value = await withTimeout(w.promise, STEP_TIMEOUT_MS, 'Audio Volume feedback');
      return { registration, command, value, seen: w.seen };
    } finally {
      off();
    }
  });
  await step(report, 'status_after_command', () => xapi.status.get('Audio Volume'));

  await step(report, 'command_error', async () => {
    try {
      const result = await xapi.command('Audio Volume Set', { Level: args.badLevel });
      return { rejected: false, result };
    } catch (err) {
      return { rejected: true, error: describeError(err) };
    }
  });

  await step(report, 'doc', () => xapi.doc('Configuration Audio DefaultVolume'));

  await step(report, 'event_feedback', async () => {
    const w = waiter(() => true);
    const off = xapi.event.on('CallSuccessful', w.listener);
    const registration = await off.registration;
    const dial = await xapi.command('Dial', { Number: args.number });
    try {
      const event = await withTimeout(w.promise, STEP_TIMEOUT_MS, 'CallSuccessful event');
      return { registration, dial, event };
    } finally {
      off();
    }
  });
  const dialed = report.event_feedback.ok ? report.event_feedback.value.dial : null;
  if (dialed && dialed.CallId !== undefined) {
    await step(report, 'hangup', () => xapi.Command.Call.Disconnect({ CallId: dialed.CallId }));
  }

  // Everything above must have completed without jsxapi reporting a transport error.
  report.transport_errors = errors.slice();
  xapi.close();
  return report;
}

async function probe(url, user, password) {
  const report = {};
  const { xapi, errors } = await open(report, url, user, password);
  if (!xapi) return report;
  await step(report, 'status_get', () => xapi.status.get('Audio Volume'));
  report.transport_errors = errors.slice();
  xapi.close();
  return report;
}

async function badauth(url, user, password) {
  const report = {};
  const { xapi, errors } = await open(report, url, user, password);
  report.transport_errors = errors.slice();
  if (xapi) xapi.close();
  return report;
}

async function main() {
  const [mode, url, user, password, rawArgs] = process.argv.slice(2);
  if (!mode || !url || user === undefined || password === undefined) {
    throw new Error('usage: jsxapi_session.js session|probe|badauth URL USER PASSWORD [JSON-ARGS]');
  }
  let report;
  if (mode === 'session') {
    report = await session(url, user, password, JSON.parse(rawArgs || '{}'));
  } else if (mode === 'probe') {
    report = await probe(url, user, password);
  } else if (mode === 'badauth') {
    report = await badauth(url, user, password);
  } else {
    throw new Error(`unknown mode ${JSON.stringify(mode)} (expected session, probe or badauth)`);
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stdout.write(JSON.stringify({ fatal: describeError(err) }) + '\n');
    process.exit(2);
  },
);
