/**
 * The panel's stylesheet, inside its shadow root: the register's CSS cannot reach in, and this
 * cannot leak out. Every control is at least 48 px in both directions (a fingertip on a touch
 * register); text is the system font at a size readable at arm's length.
 */
export const PANEL_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.rc {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;
  width: min(380px, calc(100vw - 32px)); max-height: calc(100vh - 32px);
  display: flex; flex-direction: column;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1c1d;
  background: #ffffff; border: 1px solid #8a8f94; border-radius: 12px;
  box-shadow: 0 8px 28px rgba(0, 0, 0, 0.22);
}
.rc.rc-left { right: auto; left: 16px; }
.rc.rc-collapsed { width: auto; }
.rc-header {
  display: flex; align-items: center; gap: 8px; padding: 4px 4px 4px 14px;
  background: #1f2a44; color: #ffffff; border-radius: 11px 11px 0 0;
}
.rc.rc-collapsed .rc-header { border-radius: 11px; }
.rc-title { margin: 0; font-size: 16px; font-weight: 650; flex: 1; }
.rc-where { display: block; font-size: 13px; font-weight: 400; color: #d8def0; }
.rc-body { overflow: auto; padding: 8px 12px 12px; display: flex; flex-direction: column; gap: 10px; }
.rc-section { border-top: 1px solid #e1e3e5; padding-top: 8px; }
.rc-section:first-child { border-top: 0; padding-top: 0; }
.rc-section p { margin: 0 0 6px; }
.rc-section h3 { margin: 0 0 6px; font-size: 14px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.03em; color: #4a4f55; }
.rc-notice { margin: 0; padding: 10px 12px; border-radius: 8px; background: #fff5ea; border: 1px solid #b98900; }
.rc-notice.rc-critical { background: #fff4f4; border-color: #c70a24; }
.rc-notice.rc-info { background: #eef6ff; border-color: #2c6ecb; }
.rc-notice p { margin: 0 0 8px; }
.rc-notice p:last-child { margin-bottom: 0; }
.rc-muted { color: #5c6166; margin: 0; }
.rc-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.rc-item { display: flex; gap: 8px; align-items: center; }
.rc-item-text { flex: 1; min-width: 0; }
.rc-item-title { display: block; font-weight: 600; }
.rc-item-reason { display: block; font-size: 13px; color: #5c6166; }
.rc-actions { display: flex; gap: 6px; flex-wrap: wrap; }
button, select, input {
  font: inherit; min-height: 48px; border-radius: 8px; border: 1px solid #8a8f94; background: #ffffff; color: inherit;
}
button { min-width: 48px; padding: 0 14px; cursor: pointer; font-weight: 600; }
button:disabled { cursor: default; opacity: 0.6; }
button.rc-primary { background: #005bd3; border-color: #005bd3; color: #ffffff; }
button.rc-link { border-color: transparent; background: transparent; color: #005bd3; text-decoration: underline; }
.rc-header button { background: transparent; color: #ffffff; border-color: #8fa0c8; }
select, input { padding: 0 10px; width: 100%; }
:focus-visible { outline: 3px solid #2c6ecb; outline-offset: 2px; }
.rc-field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 8px; }
.rc-field label, .rc-legend { font-size: 13px; font-weight: 600; color: #303336; }
fieldset { border: 0; margin: 0 0 8px; padding: 0; }
.rc-choices { display: flex; gap: 6px; }
.rc-choice { flex: 1; display: flex; align-items: center; gap: 8px; min-height: 48px; padding: 0 10px; border: 1px solid #8a8f94; border-radius: 8px; }
.rc-choice input { min-height: 0; width: 20px; height: 20px; margin: 0; }
.rc-keyin { border: 2px solid #0c7a3e; background: #edfbf2; border-radius: 10px; padding: 10px 12px; }
.rc-keyin-title { margin: 0 0 4px; font-weight: 650; }
.rc-keyin-value { margin: 0 0 4px; font-size: 28px; font-weight: 750; color: #0c5132; }
.rc-badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; background: #e4e5e7; }
.rc-alert { color: #8e0b21; font-weight: 600; margin: 0 0 8px; }
.rc-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.rc-progress { height: 8px; border-radius: 4px; background: #e4e5e7; overflow: hidden; margin: 4px 0; }
.rc-progress span { display: block; height: 100%; background: #0c7a3e; }
details > summary { min-height: 48px; padding: 13px 0; line-height: 22px; cursor: pointer; font-weight: 650; }
details > summary h3 { display: inline; margin: 0; }
.rc-summary-status { margin-left: 8px; font-weight: 600; font-size: 13px; color: #0c5132; }
`;
