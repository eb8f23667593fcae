//! `updateBuyerIdentity` and `selectDeliveryOption`: who buys and where the order ships. The
//! buyer's country decides the cart's tax rate and which delivery options it is offered.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    domain::{
        Currency,
        buyer::{BuyerError, parse_country, parse_email, parse_postal_code, parse_province},
    },
    entity::carts,
    error::AppResult,
    service::{ErrorCode, Outcome, UserError, rates},
};

use super::{
    change::{Change, change_of},
    history::{EventKind, NewEvent},
    lock,
    txn::{Flow, Writer},
};

/// What to do with one field of the buyer's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Edit {
    /// Leave it as it is (the field was omitted).
    #[default]
    Keep,
    /// Remove it (the field was `null`).
    Clear,
    /// Set it to this raw input, checked before anything is written.
    Set(String),
}

/// A change to the buyer's identity, field by field.
#[derive(Clone, Debug, Default)]
pub struct BuyerUpdate {
    pub email: Edit,
    pub country_code: Edit,
    pub province_code: Edit,
    pub postal_code: Edit,
}

/// The identity as it will be stored.
struct Settled {
    email: Option<String>,
    country: Option<String>,
    province: Option<String>,
    postal_code: Option<String>,
}

fn invalid(prefix: &[&str], error: BuyerError) -> UserError {
    UserError::new(
        ErrorCode::InvalidBuyerIdentity,
        &[prefix, &[error.field]].concat(),
        error.message,
    )
}

/// Applies `update` to the identity `cart` holds. A new country drops the old province (it
/// belonged to the old country) unless a province comes with it; a province needs a country.
fn settle(
    cart: &carts::Model,
    update: &BuyerUpdate,
    prefix: &[&str],
) -> Result<Settled, UserError> {
    let edit = |edit: &Edit,
                current: &Option<String>,
                parse: &dyn Fn(&str) -> Result<String, BuyerError>| {
        match edit {
            Edit::Keep => Ok(current.clone()),
            Edit::Clear => Ok(None),
            Edit::Set(raw) => parse(raw).map(Some).map_err(|e| invalid(prefix, e)),
        }
    };
    let email = edit(&update.email, &cart.buyer_email, &parse_email)?;
    let country = edit(
        &update.country_code,
        &cart.buyer_country_code,
        &parse_country,
    )?;
    let postal_code = edit(
        &update.postal_code,
        &cart.buyer_postal_code,
        &parse_postal_code,
    )?;
    let country_changed = country != cart.buyer_country_code;
    let province = match (&update.province_code, &country) {
        (Edit::Clear, _) => None,
        (Edit::Keep, _) if country_changed => None,
        (Edit::Keep, _) => cart.buyer_province_code.clone(),
        (Edit::Set(raw), Some(country)) => {
            Some(parse_province(raw, country).map_err(|e| invalid(prefix, e))?)
        }
        (Edit::Set(_), None) => {
            return Err(UserError::new(
                ErrorCode::InvalidBuyerIdentity,
                &[prefix, &["provinceCode"]].concat(),
                "a province needs a country: send `countryCode` with it",
            ));
        }
    };
    Ok(Settled {
        email,
        country,
        province,
        postal_code,
    })
}

/// Sets the buyer's identity, creating the cart when the caller has none (like
/// `updateCartAttributes`). A changed country unselects the delivery option, which may not
/// serve the new one.
pub async fn update_buyer_identity(
    writer: &Writer<'_>,
    update: &BuyerUpdate,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let settled = settle(&locked.cart, update, &["input"])?;
        let mut write = carts::Entity::update_many()
            .col_expr(carts::Column::BuyerEmail, Expr::value(settled.email))
            .col_expr(
                carts::Column::BuyerProvinceCode,
                Expr::value(settled.province),
            )
            .col_expr(
                carts::Column::BuyerPostalCode,
                Expr::value(settled.postal_code),
            );
        if settled.country != locked.cart.buyer_country_code {
            write = write
                .col_expr(
                    carts::Column::BuyerCountryCode,
                    Expr::value(settled.country),
                )
                .col_expr(
                    carts::Column::DeliveryOption,
                    Expr::value(Option::<String>::None),
                );
        }
        write
            .filter(carts::Column::Id.eq(locked.cart.id.as_str()))
            .exec(txn)
            .await?;
        // The history records that the identity changed, never the personal data.
        let event = NewEvent::cart(EventKind::BuyerIdentityUpdated, None);
        lock::commit_change(txn, writer, &locked, vec![event]).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}

/// Selects the delivery option `handle`: one of the options for the buyer's country in the
/// cart's currency.
pub async fn select_delivery_option(
    writer: &Writer<'_>,
    handle: &str,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let not_found = |message: String| {
            Flow::Reject(UserError::new(
                ErrorCode::DeliveryOptionNotFound,
                &["handle"],
                message,
            ))
        };
        let Some(locked) = lock::lock_existing(txn, writer).await? else {
            return Err(not_found(
                "the cart has no buyer country yet: set it with updateBuyerIdentity".into(),
            ));
        };
        let offered = offered_handles(txn, &locked.cart).await?;
        if !offered.iter().any(|h| h == handle) {
            let message = match (&locked.cart.buyer_country_code, offered.is_empty()) {
                (None, _) => {
                    "the cart has no buyer country yet: set it with updateBuyerIdentity".into()
                }
                (Some(country), true) => format!("no delivery option serves {country}"),
                (Some(country), false) => format!(
                    "no delivery option `{handle}` serves {country}; choose one of: {}",
                    offered.join(", ")
                ),
            };
            return Err(not_found(message));
        }
        carts::Entity::update_many()
            .col_expr(carts::Column::DeliveryOption, Expr::value(handle))
            .filter(carts::Column::Id.eq(locked.cart.id.as_str()))
            .exec(txn)
            .await?;
        let event = NewEvent::cart(EventKind::DeliveryOptionSelected, Some(handle.to_owned()));
        lock::commit_change(txn, writer, &locked, vec![event]).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}

/// The handles of the delivery options `cart` can select.
async fn offered_handles(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
) -> Result<Vec<String>, Flow> {
    let Some(country) = cart.buyer_country_code.as_deref() else {
        return Ok(Vec::new());
    };
    let currency = Currency::parse(&cart.currency).unwrap_or(Currency::UNKNOWN);
    let tables = rates::rates_for(txn, &[country]).await?;
    Ok(tables
        .delivery_options(country, currency)
        .into_iter()
        .map(|o| o.handle)
        .collect())
}

/// For `mergeGuestCart`: the guest's email fills a user's cart without one, and the guest's
/// address (country, province, postal code, delivery option, as one) fills a user's cart
/// without a country.
pub(super) async fn merge_buyer(
    txn: &impl ConnectionTrait,
    user: &carts::Model,
    guest: &carts::Model,
) -> Result<(), sea_orm::DbErr> {
    let mut write = carts::Entity::update_many();
    let mut changed = false;
    if user.buyer_email.is_none() && guest.buyer_email.is_some() {
        write = write.col_expr(
            carts::Column::BuyerEmail,
            Expr::value(guest.buyer_email.clone()),
        );
        changed = true;
    }
    if user.buyer_country_code.is_none() && guest.buyer_country_code.is_some() {
        write = write
            .col_expr(
                carts::Column::BuyerCountryCode,
                Expr::value(guest.buyer_country_code.clone()),
            )
            .col_expr(
                carts::Column::BuyerProvinceCode,
                Expr::value(guest.buyer_province_code.clone()),
            )
            .col_expr(
                carts::Column::BuyerPostalCode,
                Expr::value(guest.buyer_postal_code.clone()),
            )
            .col_expr(
                carts::Column::DeliveryOption,
                Expr::value(guest.delivery_option.clone()),
            );
        changed = true;
    }
    if changed {
        write
            .filter(carts::Column::Id.eq(user.id.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(())
}
