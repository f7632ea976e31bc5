package io.mecmesh.mecapi;

/**
 * A request the MEC APIs refuse, with the HTTP status the standard gives for it; answered as a ProblemDetails by
 * {@link Exchanges#run}.
 */
final class MecApiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    MecApiException(final int status, final String detail)
    {
        super(detail);
        this.status = status;
    }

    int status()
    {
        return status;
    }
}
