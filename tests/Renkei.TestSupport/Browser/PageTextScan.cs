using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Playwright;
using Renkei.Core.Text;

namespace Renkei.TestSupport.Browser;

/// <summary>
/// The ASCII-sentence scan of every page a browser test visits: what clerks and residents read is Japanese only. After each
/// page load (and once more for the pages still open when the context closes) it reads the visible text
/// (<c>document.body.innerText</c>) and keeps the lines with an English sentence (<see cref="JapaneseText.EnglishSentences"/>:
/// three or more consecutive ASCII words of letters; codes, ids, file names, units and the allowed words are not words).
/// Closing or disposing the context fails the test, listing each offending line with the page's path.
/// <see cref="Chromium.NewContextAsync"/> attaches it to every context, so no test has to ask for it.
/// </summary>
public sealed class PageTextScan
{
    /// <summary>Lines a page may show although they look like English (none today: fix the page instead of adding here).</summary>
    public static readonly IReadOnlySet<string> AllowedLines = new HashSet<string>(StringComparer.Ordinal);

    private const string VisibleText = "() => document.body ? document.body.innerText : ''";

    private readonly Lock _gate = new();
    private readonly List<Task> _scans = [];
    private readonly List<string> _findings = [];
    private readonly HashSet<IPage> _watched = [];

    /// <summary>The context, scanned: the same context (a proxy) whose close and dispose check what the pages showed.</summary>
    public static IBrowserContext Attach(IBrowserContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scan = new PageTextScan();
        context.Page += (_, page) => scan.Watch(page);
        foreach (var page in context.Pages) scan.Watch(page);
        var proxy = DispatchProxy.Create<IBrowserContext, ScannedContext>();
        ((ScannedContext)(object)proxy).Initialize(context, scan);
        return proxy;
    }

    private void Watch(IPage page)
    {
        lock (_gate)
        {
            if (!_watched.Add(page)) return;
        }
        page.Load += (_, loaded) =>
        {
            lock (_gate) _scans.Add(ScanAsync(loaded));
        };
    }

    private async Task ScanAsync(IPage page)
    {
        string url, text;
        try
        {
            url = page.Url;
            text = await page.EvaluateAsync<string>(VisibleText);
        }
        catch (PlaywrightException)
        {
            return; // the page navigated on or closed before it could be read; its next load is scanned
        }
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : url;
        var lines = JapaneseText.EnglishSentences(text).Where(l => !AllowedLines.Contains(l)).ToList();
        if (lines.Count == 0) return;
        lock (_gate)
            foreach (var line in lines)
            {
                var finding = $"{path}: {line}";
                if (!_findings.Contains(finding)) _findings.Add(finding);
            }
    }

    /// <summary>Scans the pages still open, waits for every scan and returns the offending lines ("path: line").</summary>
    public async Task<IReadOnlyList<string>> FindingsAsync(IBrowserContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var finals = context.Pages.Where(p => !p.IsClosed).Select(ScanAsync).ToList();
        Task[] pending;
        lock (_gate) pending = [.. _scans, .. finals];
        await Task.WhenAll(pending);
        lock (_gate) return [.. _findings];
    }

    private async Task CheckAsync(IBrowserContext context)
    {
        var findings = await FindingsAsync(context);
        if (findings.Count > 0)
            throw new Xunit.Sdk.XunitException("pages showed English sentences (people read Japanese only; see JapaneseText):\n  "
                + string.Join("\n  ", findings));
    }

    /// <summary>The proxy <see cref="Attach"/> returns: every member goes to the real context; close and dispose check first.</summary>
    public class ScannedContext : DispatchProxy
    {
        private IBrowserContext _inner = null!;
        private PageTextScan _scan = null!;
        private bool _checked;

        internal void Initialize(IBrowserContext inner, PageTextScan scan) => (_inner, _scan) = (inner, scan);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IAsyncDisposable.DisposeAsync) && targetMethod.GetParameters().Length == 0)
                return new ValueTask(CloseCheckedAsync(() => _inner.DisposeAsync().AsTask()));
            if (targetMethod.Name == nameof(IBrowserContext.CloseAsync))
                return CloseCheckedAsync(() => (Task)Forward(targetMethod, args)!);
            return Forward(targetMethod, args);
        }

        private object? Forward(MethodInfo method, object?[]? args)
        {
            try
            {
                return method.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private async Task CloseCheckedAsync(Func<Task> close)
        {
            Exception? failure = null;
            if (!_checked)
            {
                _checked = true;
                try
                {
                    await _scan.CheckAsync(_inner);
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    failure = e;
                }
            }
            await close();
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        }
    }
}
