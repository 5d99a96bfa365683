using Renkei.Core.Numbers;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The published HTTP contract of J-LIS's numbering service (地方公共団体情報システム機構).
/// Every request that creates something carries a request ID; sending it again returns the first answer.
/// Numbers and codes travel only in bodies, never in URLs.
/// </summary>
public static class JlisRoutes
{
    public const string DeriveNumber = "numbering/derive";
    public const string NumberingBatch = "numbering/batches";
    public const string VerifyNumber = "numbering/verify";
    public const string ChangeNumber = "numbering/change";
    public const string IssueResidentCode = "resident-codes";
    public const string Health = "health";
}

/// <summary>Ask for the individual number of one resident-record code (a birth, an arrival from abroad).</summary>
public sealed record DeriveNumberRequest(Guid RequestId, LocalGovernmentCode Municipality, ResidentCode ResidentCode);

/// <summary>A resident-record code and the number J-LIS designated for it (個人番号とすべき番号).</summary>
public sealed record NumberAssignment(ResidentCode ResidentCode, IndividualNumber IndividualNumber);

/// <summary>
/// Initial bulk assignment (初期一斉指定): the municipality's extract of resident-record codes
/// (抽出住民票コード). <see cref="BatchId"/> makes a resent batch return the same file.
/// </summary>
public sealed record NumberingBatchRequest(Guid BatchId, LocalGovernmentCode Municipality, IReadOnlyList<ResidentCode> ResidentCodes);

/// <summary>
/// J-LIS's answer to a batch: the notification file (機構通知ファイル) of codes with their numbers,
/// plus codes J-LIS refused (each with the reason).
/// </summary>
public sealed record NumberingBatchResponse(Guid BatchId, IReadOnlyList<NumberAssignment> Assignments, IReadOnlyList<RefusedResidentCode> Refused);

public sealed record RefusedResidentCode(ResidentCode ResidentCode, string Reason);

/// <summary>Check that a number carried over from another municipality belongs to the code.</summary>
public sealed record VerifyNumberRequest(ResidentCode ResidentCode, IndividualNumber IndividualNumber);

public enum NumberVerificationOutcome
{
    /// <summary>The number is the code's current number.</summary>
    Matches,
    /// <summary>The number was the code's, but has been changed since.</summary>
    Superseded,
    /// <summary>The number does not belong to this code.</summary>
    Mismatch,
    /// <summary>J-LIS has designated no number for this code.</summary>
    NoNumberDesignated,
}

public sealed record VerifyNumberResponse(NumberVerificationOutcome Outcome);

public enum NumberChangeReason
{
    /// <summary>The holder asked, because the number leaked and may be misused (本人の請求).</summary>
    HolderRequest,
    /// <summary>The mayor decided it ex officio (職権).</summary>
    ExOfficio,
}

/// <summary>Change a leaked number: a new generation for the same code; the old number is never issued again.</summary>
public sealed record ChangeNumberRequest(Guid RequestId, LocalGovernmentCode Municipality, ResidentCode ResidentCode, NumberChangeReason Reason);

public sealed record ChangeNumberResponse(IndividualNumber NewNumber, int Generation);

public enum ResidentCodeIssueReason
{
    Birth,
    ArrivalFromAbroad,
}

/// <summary>A new resident-record code for someone entering the register for the first time.</summary>
public sealed record IssueResidentCodeRequest(Guid RequestId, LocalGovernmentCode Municipality, ResidentCodeIssueReason Reason);

public sealed record IssueResidentCodeResponse(ResidentCode ResidentCode);
