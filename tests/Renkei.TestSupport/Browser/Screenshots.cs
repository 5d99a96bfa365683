using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Renkei.TestSupport.Browser;

/// <summary>Full-page screenshots of a browser test into its output folder and, when RENKEI_SCREENSHOTS is set, there (docs/screenshots).</summary>
public static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(output);
        var directories = new List<string> { Path.Combine(AppContext.BaseDirectory, "screenshots") };
        if (Environment.GetEnvironmentVariable("RENKEI_SCREENSHOTS") is { Length: > 0 } configured)
            directories.Add(Path.IsPathRooted(configured) ? configured : Path.Combine(RepositoryFiles.Root, configured));
        foreach (var directory in directories)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, name + ".png");
            await page.ScreenshotAsync(new() { Path = path, FullPage = true });
            output.WriteLine($"screenshot: {path}");
        }
    }
}
