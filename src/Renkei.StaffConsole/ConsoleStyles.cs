namespace Renkei.StaffConsole;

/// <summary>The console's one stylesheet, served from memory (the content security policy allows styles from the console only).</summary>
internal static class ConsoleStyles
{
    public const string Path = "/console.css";

    public const string Css = """
        :root { color-scheme: light; --accent: #0b4f9c; --warn: #8a1c1c; --line: #c8ced6; --muted: #4a5563; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 16px; line-height: 1.6; color: #1b1f24; background: #f6f7f9; }
        a { color: var(--accent); }
        .skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
        .skip:focus { left: .5rem; top: .5rem; }
        header.site { background: var(--accent); color: #fff; padding: .6rem 1.2rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
        header.site a { color: #fff; }
        header.site .ward { font-weight: bold; font-size: 1.1rem; }
        header.site nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; flex-wrap: wrap; }
        header.site form { display: inline; margin: 0; }
        header.site button { background: #fff; color: var(--accent); }
        .status { background: #fff; border-bottom: 1px solid var(--line); padding: .4rem 1.2rem; font-size: .95rem; }
        .status .numbers-on { color: var(--warn); font-weight: bold; }
        main { max-width: 70rem; margin: 1rem auto; padding: 0 1.2rem 2rem; }
        h1 { font-size: 1.5rem; margin: .6rem 0 1rem; }
        h2 { font-size: 1.2rem; margin: 1.6rem 0 .6rem; border-left: 4px solid var(--accent); padding-left: .5rem; }
        form.panel, section.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; }
        .field { margin: 0 0 .9rem; }
        .field label, fieldset legend { display: block; font-weight: bold; margin-bottom: .2rem; }
        .hint { color: var(--muted); font-size: .9rem; margin: .1rem 0 0; }
        input[type=text], input[type=password], input[type=date] { font: inherit; padding: .45rem .6rem; border: 1px solid #7a8594; border-radius: 4px; width: 100%; max-width: 26rem; }
        button { font: inherit; padding: .45rem 1.2rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
        .error { color: var(--warn); background: #fdeeee; border: 1px solid #e3b1b1; padding: .6rem .8rem; border-radius: 4px; }
        .notice { background: #eef5fd; border: 1px solid #b7cde8; padding: .6rem .8rem; border-radius: 4px; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
        th { background: #eef1f5; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; background: #fff; border: 1px solid var(--line); padding: 1rem 1.2rem; border-radius: 6px; margin: 0; }
        dl.facts dt { font-weight: bold; }
        dl.facts dd { margin: 0; }
        .number { font-family: "Noto Sans Mono CJK JP", monospace; letter-spacing: .08em; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; margin: 0 0 1rem; background: #fff; }
        ul.plain { list-style: none; padding-left: 1.2rem; margin: .2rem 0; }
        .choice { margin: .3rem 0; }
        .inline-fields { display: flex; flex-wrap: wrap; gap: 0 1.2rem; }
        .inline-fields .field { min-width: 14rem; }
        .inline-form { display: inline; margin-left: 1rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        #results-table td:nth-child(5), #results-table th:nth-child(5) { white-space: nowrap; }
        .badge { display: inline-block; font-size: .8rem; padding: .05rem .45rem; border-radius: 3px; border: 1px solid var(--accent); color: var(--accent); background: #fff; white-space: nowrap; }
        .badge.e-application { background: var(--accent); color: #fff; }
        .ok { color: #14632d; background: #e9f7ee; border: 1px solid #9fd3b0; padding: .6rem .8rem; border-radius: 4px; }
        """;
}
