namespace Renkei.Core.Cards;

/// <summary>
/// How long an individual number card and its two JPKI certificates run (個人番号カード・電子証明書の有効期間), from the
/// holder's birth date and the day of issuance (seed 001 個人番号カードの交付方針, as amended by the age of majority change):
/// <list type="bullet">
/// <item>The card runs to the holder's 10th birthday after the start day; to the 5th for a minor on the day of
/// issuance. Minor: under 20 for cards issued before 2022-04-01, under 18 from that day (民法 第4条 as amended).</item>
/// <item>The user-authentication certificate (利用者証明用電子証明書) runs to the 5th birthday after the start day, never
/// past the card.</item>
/// <item>The signing certificate (署名用電子証明書) ends with the user-authentication certificate; it is not issued to a
/// holder under 15 on the day of issuance (null).</item>
/// <item>The card may be renewed from 3 months before its expiry to its expiry (<see cref="RenewalFrom"/>).</item>
/// </list>
/// "After the start day" means strictly after: a birthday on the day of issuance does not count (発行の日後).
/// <para>
/// <b>Start day.</b> Normally the day of issuance. A card or certificate renewed within its renewal window counts from
/// the expiry of the one it replaces (更新期間内の更新申請: 旧カードの有効期間満了日から), so renewing early loses nothing:
/// see <see cref="ForRenewal"/>.
/// </para>
/// <para>
/// <b>Certificates that end before the card.</b> <see cref="RenewalFrom"/> is the card's window only. An adult's
/// certificates end at the 5th birthday, about five years before the card; they have their own window, 3 months before
/// their own expiry (<see cref="CertificateRenewalFrom"/>), and are renewed alone on the same card.
/// </para>
/// <para>
/// <b>Births on 29 February.</b> In a common year the holder's birthday is taken as 28 February, the last day of the
/// month (民法 第143条 第2項: a period whose corresponding day does not exist ends on the last day of that month), so
/// a card never outlives February. Age, on the other hand, follows 年齢計算ニ関スル法律 and 民法 第143条: a year of age is
/// completed at the end of the day before the corresponding day, which for 29 February in a common year is the end of
/// 28 February: such a holder is the new age from 1 March (<see cref="AgeOn"/>).
/// </para>
/// </summary>
public sealed record CardValidity(DateOnly CardExpires, DateOnly UserCertificateExpires, DateOnly? SigningCertificateExpires, DateOnly RenewalFrom)
{
    /// <summary>The first day of individual number cards (平成28年1月1日): earlier issue dates are not cards.</summary>
    public static readonly DateOnly FirstIssueDay = new(2016, 1, 1);

    /// <summary>From this day adults are 18 and over (民法 as amended in 2018, in force 2022-04-01).</summary>
    public static readonly DateOnly AgeOfMajorityChange = new(2022, 4, 1);

    /// <summary>Below this age on the day of issuance no signing certificate is issued (実印に相当するため).</summary>
    public const int SigningCertificateMinimumAge = 15;

    public const int AdultCardYears = 10;
    public const int MinorCardYears = 5;
    public const int CertificateYears = 5;
    public const int RenewalMonths = 3;

    /// <summary>The first day the user-authentication (and signing) certificate may be renewed: 3 months before it ends.</summary>
    public DateOnly CertificateRenewalFrom => RenewalStart(UserCertificateExpires);

    /// <summary>Whether the card may be renewed on <paramref name="day"/>: from <see cref="RenewalFrom"/> to <see cref="CardExpires"/>.</summary>
    public bool CardRenewableOn(DateOnly day) => day >= RenewalFrom && day <= CardExpires;

    /// <summary>Whether the certificates may be renewed on <paramref name="day"/>: from <see cref="CertificateRenewalFrom"/> to their expiry.</summary>
    public bool CertificatesRenewableOn(DateOnly day) => day >= CertificateRenewalFrom && day <= UserCertificateExpires;

    /// <summary>The validity of a card (and the certificates put on it) issued on <paramref name="issuedOn"/>.</summary>
    /// <exception cref="CardRuleException">the dates make no card: issued before the holder was born or before 2016-01-01</exception>
    public static CardValidity Compute(DateOnly birthDate, DateOnly issuedOn) => Compute(birthDate, issuedOn, issuedOn);

    /// <summary>
    /// The validity of a card renewed on <paramref name="renewedOn"/>, replacing a card that expires on
    /// <paramref name="previousCardExpires"/>: inside the renewal window the new card counts from the old card's expiry;
    /// outside it (an expired card, or a new card after loss) from the day of issuance, like <see cref="Compute(DateOnly, DateOnly)"/>.
    /// Whether the holder is a minor, and old enough for a signing certificate, is decided on the day of issuance.
    /// </summary>
    public static CardValidity ForRenewal(DateOnly birthDate, DateOnly renewedOn, DateOnly previousCardExpires)
    {
        var inWindow = renewedOn >= RenewalStart(previousCardExpires) && renewedOn <= previousCardExpires;
        return Compute(birthDate, renewedOn, inWindow ? previousCardExpires : renewedOn);
    }

    /// <summary>
    /// The expiry of certificates issued on <paramref name="issuedOn"/> for a card that runs to <paramref name="cardExpires"/>
    /// (new certificates on an existing card: renewal, or a signing certificate again after a name or address change).
    /// <paramref name="previousExpires"/>: the expiry of the certificate being renewed; inside its window the count starts
    /// there. The signing certificate ends with the user certificate; null under 15 on <paramref name="issuedOn"/>.
    /// </summary>
    public static (DateOnly UserCertificateExpires, DateOnly? SigningCertificateExpires) Certificates(
        DateOnly birthDate, DateOnly issuedOn, DateOnly cardExpires, DateOnly? previousExpires = null)
    {
        CheckDates(birthDate, issuedOn);
        if (issuedOn > cardExpires) throw new CardRuleException("card-expired", "the card has expired; certificates need a valid card (カードの有効期間が満了しています)");
        var start = previousExpires is { } previous && issuedOn >= RenewalStart(previous) && issuedOn <= previous ? previous : issuedOn;
        var user = Min(NthBirthdayAfter(birthDate, start, CertificateYears), cardExpires);
        return (user, AgeOn(birthDate, issuedOn) >= SigningCertificateMinimumAge ? user : null);
    }

    /// <summary>Whether the holder counts as a minor for the card's validity on <paramref name="issuedOn"/> (under 20 before 2022-04-01, under 18 from then).</summary>
    public static bool IsMinor(DateOnly birthDate, DateOnly issuedOn) =>
        AgeOn(birthDate, issuedOn) < (issuedOn < AgeOfMajorityChange ? 20 : 18);

    /// <summary>
    /// Age in completed years on <paramref name="day"/> (年齢計算ニ関スル法律): a year is completed on the birthday; a holder
    /// born on 29 February completes it on 1 March in common years.
    /// </summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        var age = day.Year - birthDate.Year;
        var anniversary = birthDate.Month == 2 && birthDate.Day == 29 && !DateTime.IsLeapYear(day.Year)
            ? new DateOnly(day.Year, 3, 1)
            : new DateOnly(day.Year, birthDate.Month, birthDate.Day);
        return day < anniversary ? age - 1 : age;
    }

    /// <summary>The holder's birthday in <paramref name="year"/>; 28 February in common years for a 29 February birth.</summary>
    public static DateOnly BirthdayIn(DateOnly birthDate, int year) =>
        birthDate.Month == 2 && birthDate.Day == 29 && !DateTime.IsLeapYear(year)
            ? new DateOnly(year, 2, 28)
            : new DateOnly(year, birthDate.Month, birthDate.Day);

    /// <summary>The <paramref name="n"/>-th birthday strictly after <paramref name="start"/> (n ≥ 1).</summary>
    public static DateOnly NthBirthdayAfter(DateOnly birthDate, DateOnly start, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var first = BirthdayIn(birthDate, start.Year) > start ? start.Year : start.Year + 1;
        return BirthdayIn(birthDate, first + n - 1);
    }

    /// <summary>The first day of a renewal window ending on <paramref name="expires"/>: the same day 3 months earlier (the month's last day when that month is shorter).</summary>
    public static DateOnly RenewalStart(DateOnly expires) => expires.AddMonths(-RenewalMonths);

    private static CardValidity Compute(DateOnly birthDate, DateOnly issuedOn, DateOnly start)
    {
        CheckDates(birthDate, issuedOn);
        var card = NthBirthdayAfter(birthDate, start, IsMinor(birthDate, issuedOn) ? MinorCardYears : AdultCardYears);
        var user = Min(NthBirthdayAfter(birthDate, start, CertificateYears), card);
        DateOnly? signing = AgeOn(birthDate, issuedOn) >= SigningCertificateMinimumAge ? user : null;
        return new CardValidity(card, user, signing, RenewalStart(card));
    }

    private static void CheckDates(DateOnly birthDate, DateOnly issuedOn)
    {
        if (issuedOn < birthDate)
            throw new CardRuleException("issued-before-birth", "the issue date is before the birth date (交付日が生年月日より前です)");
        if (issuedOn < FirstIssueDay)
            throw new CardRuleException("issued-before-cards-existed",
                "individual number cards were first issued on 2016-01-01 (個人番号カードの交付は平成28年1月1日からです)");
        if (birthDate.Year < 1870)
            throw new CardRuleException("implausible-birth-date", "the birth date is implausibly early (生年月日が不正です)");
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

/// <summary>A card rule refused the request. <see cref="Code"/> is stable; the message carries no personal value.</summary>
public sealed class CardRuleException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
