namespace Renkei.Municipality.Contracts;

/// <summary>
/// Where a person stands on the ward's resident register. Named apart from <c>Renkei.Intermediate.Contracts.ResidentStatus</c>,
/// the status inside a 住民票関係情報 copy on the network, which also knows 職権消除.
/// </summary>
public enum RegisterStatus
{
    /// <summary>On the register (住民).</summary>
    Resident = 0,
    /// <summary>Moved out to another municipality or abroad (転出).</summary>
    MovedOut = 1,
    /// <summary>Died (死亡).</summary>
    Deceased = 2,
}
