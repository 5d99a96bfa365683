using System.Globalization;
using Renkei.Core.Dates;
using Renkei.Network.Contracts;

namespace Renkei.Portal;

/// <summary>Japanese words and dates for what the portal shows.</summary>
public static class PortalText
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    /// <summary>A time in Japan in the Japanese era: 令和8年11月22日 09:00.</summary>
    public static string EraDateTime(DateTimeOffset time)
    {
        var local = time.ToOffset(JapanStandardTime);
        return JapaneseEraDate.Format(DateOnly.FromDateTime(local.DateTime)) + " " + local.ToString("HH:mm", CultureInfo.InvariantCulture);
    }

    public static string EraDate(DateOnly date) => JapaneseEraDate.Format(date);

    /// <summary>結果 of a provision record.</summary>
    public static string Result(ProvisionResult result) => result switch
    {
        ProvisionResult.Provided => "提供",
        ProvisionResult.NotHeld => "該当なし",
        ProvisionResult.Refused => "提供拒否",
        ProvisionResult.ProviderUnavailable => "提供者応答なし",
        _ => result.ToString(),
    };
}
