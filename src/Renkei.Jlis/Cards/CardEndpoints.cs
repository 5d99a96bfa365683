using Microsoft.AspNetCore.Builder;
using Renkei.Jlis.Numbering;

namespace Renkei.Jlis.Cards;

/// <summary>J-LIS's card routes (個人番号カード): application, issuance, suspension, revocation.</summary>
public static class CardEndpoints
{
    public static void Map(WebApplication app, JlisServiceOptions options, NumberingService numbering)
    {
    }
}
