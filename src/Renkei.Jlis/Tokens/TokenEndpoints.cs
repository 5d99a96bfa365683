using Microsoft.AspNetCore.Builder;
using Renkei.Jlis.Numbering;

namespace Renkei.Jlis.Tokens;

/// <summary>How J-LIS reaches the network to have tokens issued (符号取得).</summary>
public sealed record JlisTokenOptions(Uri NetworkAddress, string KeyDirectory);

/// <summary>J-LIS's token routes: an institution's number → resident-record code → the network.</summary>
public static class TokenEndpoints
{
    public static void Map(WebApplication app, JlisServiceOptions options, NumberingService numbering)
    {
    }
}
