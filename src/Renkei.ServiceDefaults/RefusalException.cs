namespace Renkei.ServiceDefaults;

/// <summary>
/// The one way a module refuses a request: an HTTP <see cref="Status"/>, a stable <see cref="Code"/> for programs and a
/// message that names the field or rule ("English (日本語)"), never a personal value. The service's exception handler
/// (<see cref="ErrorResponses.HandleUnexpectedAsync"/>) answers it with the problem body
/// (<see cref="ErrorResponses.Problem"/>); no endpoint catches it to convert it.
/// </summary>
public sealed class RefusalException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status is >= 400 and <= 599
        ? status
        : throw new ArgumentOutOfRangeException(nameof(status), status, "a refusal's status is 4xx or 5xx");

    public string Code { get; } = code;

    /// <summary>400: the request breaks a rule (the message names the field or rule).</summary>
    public static RefusalException BadRequest(string code, string message) => new(400, code, message);

    /// <summary>409: the request conflicts with the current state (an id reused with other content, a state that does not allow it).</summary>
    public static RefusalException Conflict(string code, string message) => new(409, code, message);
}
