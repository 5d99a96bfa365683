using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Renkei.Portal.Tests;

internal static class BrowserDefaults
{
    /// <summary>
    /// Assertions on pages wait up to 30 s (not Playwright's 5 s): CI runs two test projects at once on two cores, each with
    /// its own demo country and browser. A passing assertion returns as soon as it holds, so this costs nothing when quiet.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => Assertions.SetDefaultExpectTimeout(30_000);
}
