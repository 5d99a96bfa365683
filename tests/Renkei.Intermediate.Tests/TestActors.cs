using Renkei.Intermediate.Contracts;

namespace Renkei.Intermediate.Tests;

/// <summary>Who the tests act as at the intermediate server's holder routes.</summary>
internal static class TestActors
{
    /// <summary>A feed job of the holder's systems (copies, tokens, reads).</summary>
    public static readonly Actor Feed = Actor.System("intermediate-test", "copy-registration");

    /// <summary><see cref="Feed"/> as the stream route's query names its actor.</summary>
    public static string FeedStreamQuery =>
        $"&{IntermediateRoutes.StreamActorStaff}={Uri.EscapeDataString(Feed.Staff)}&{IntermediateRoutes.StreamActorTerminal}={Uri.EscapeDataString(Feed.Terminal)}"
        + $"&{IntermediateRoutes.StreamActorAffair}={Uri.EscapeDataString(Feed.Affair)}";

    /// <summary>A clerk at a counter terminal, working an affair.</summary>
    public static Actor Clerk(string affair = "child-allowance") => new("kodomo01", "counter-3", affair);
}
