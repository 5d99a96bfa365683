using System.Text.RegularExpressions;

namespace Renkei.Municipality.Registry;

/// <summary>A resident's latest arrival from another municipality (転入) as the register's event log records it.</summary>
/// <param name="From">The municipality moved from (local government code), when the arrival's reason names it.</param>
public sealed record Arrival(DateOnly Date, string? From);

public static partial class Arrivals
{
    /// <summary>The arrival event's reason names the municipality moved from: 転入届（転出地 131113）.</summary>
    [GeneratedRegex(@"転出地 (\d{6})")]
    private static partial Regex ArrivalFrom();

    /// <summary>The resident's latest arrival from another municipality, or null.</summary>
    public static Arrival? Latest(ResidentRegister register, long residentId)
    {
        var arrival = register.Events(residentId).LastOrDefault(e => e.Type == RegisterEventType.ArrivalFromMunicipality);
        if (arrival is null) return null;
        var match = ArrivalFrom().Match(arrival.Reason);
        return new Arrival(arrival.Date, match.Success ? match.Groups[1].Value : null);
    }

    /// <summary>
    /// The latest arrival when it was after 1 January of <paramref name="day"/>'s year: the person was not the ward's
    /// resident on 1 January, so this year's residence tax was assessed by the municipality moved from. Else null.
    /// </summary>
    public static Arrival? AfterJanuaryFirst(ResidentRegister register, long residentId, DateOnly day) =>
        Latest(register, residentId) is { } arrival && arrival.Date > new DateOnly(day.Year, 1, 1) ? arrival : null;
}
